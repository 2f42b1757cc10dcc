"""`make sim`'s events: a simulated shift published as the simulator publishes it, consumed by evaluation,
gives the simulator's own 1-3-5-8 for that day and a daily report; the same shift again changes nothing.

In a module of its own: the evaluation started here must be the only member of its consumer group.
"""

from __future__ import annotations

import asyncio
import io
import sys
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from openpyxl import load_workbook

from oneteam_devstack.testing import Infra, serve
from oneteam_evaluation.main import build
from oneteam_eventbus import KafkaConfig
from oneteam_servicekit.auth import Role

from .conftest import evaluation_settings, token
from .scenario import random_tenant

# The simulator is a script folder, not a package: its scripts and tests put it on the path the same way.
BENCH = str(Path(__file__).resolve().parents[4] / "tests" / "bench")
if BENCH not in sys.path:
    sys.path.insert(0, BENCH)

import sim  # noqa: E402
import simulate  # noqa: E402
from sim import events  # noqa: E402

pytestmark = pytest.mark.integration

DAY = date(2026, 11, 2)
WINDOW = {"from": "2026-11-02T00:00:00+08:00", "to": "2026-11-03T00:00:00+08:00"}
STAGES = ("acknowledged", "coordinated", "arrived", "reported")


async def day_figures(client: httpx.AsyncClient, tenant: str, headers: dict[str, str], kpis: tuple[str, ...],
                      expected: dict[str, tuple[int, int]] | None = None, timeout: float = 90.0
                      ) -> dict[str, tuple[int, int] | None]:
    """(numerator, denominator) of each KPI for DAY, once they equal `expected` or time is up."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        found: dict[str, tuple[int, int] | None] = {}
        for kpi in kpis:
            answer = await client.get(f"/v1/tenants/{tenant}/kpis/{kpi}", headers=headers,
                                      params={**WINDOW, "period": "day"})
            assert answer.status_code == 200, answer.text
            rows = {row["period"]: row for row in answer.json()["figures"]}
            assert set(rows) <= {str(DAY)}, rows  # the whole shift lies on its day
            row = rows.get(str(DAY))
            found[kpi] = (row["numerator"], row["denominator"]) if row else None
        if expected is None or found == expected or loop.time() > deadline:
            return found
        await asyncio.sleep(0.5)


async def caught_up(bootstrap: str, group: str, topics: list[str], timeout: float = 90.0) -> bool:
    """Whether `group` has committed every partition of `topics` up to its end (as it is now) in time:
    evaluation commits only what its transactions applied, so then it has seen every event."""
    # Asks as a member of the group that never joins it (assign, not subscribe), as the bus's replay does.
    reader = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False)
    await reader.start()
    try:
        await reader.topics()  # metadata of every topic
        partitions = [TopicPartition(t, p) for t in topics for p in reader.partitions_for_topic(t) or ()]
        reader.assign(partitions)
        ends = await reader.end_offsets(partitions)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while loop.time() < deadline:
            committed = {tp: await reader.committed(tp) or 0 for tp in ends}
            if all(committed[tp] >= end for tp, end in ends.items()):
                return True
            await asyncio.sleep(0.5)
        return False
    finally:
        await reader.stop()


def satisfaction(shift_events: list[Any]) -> tuple[int, int]:
    ratings = [e.data.rating for e in shift_events if e.type == "feedback.received"]
    return sum(r in ("satisfied", "basically_satisfied") for r in ratings), len(ratings)


async def test_a_simulated_shift_gives_evaluation_the_simulators_own_1358_and_a_daily_report(infra: Infra) -> None:
    tenant = random_tenant()  # the demo tenant's areas and list, under a tenant of its own on the shared broker
    commander = token([Role.COMMANDER], tenant)
    # Half an hour (36 incidents, one joint, most queued first): the session's broker is shared, and
    # other tests' dispatch groups read every incident on it.
    run = sim.run_shift(sim.POLICIES["batch"], seed=1, officers=20, hours=0.5)
    shift = events.Shift(DAY, events.shift_key("batch", 1, 20, 1.0, 0.5), tenant=tenant)
    shift_events = events.shift_events(run, shift)
    expected = {**events.order_clock(run, shift), "satisfaction": satisfaction(shift_events)}
    assert expected["arrived"][0] < expected["arrived"][1], "a shift where everything is on time tests little"
    assert any(e.type == "assignment.queued" for e in shift_events)
    assert any(len(e.data.officer_ids) > 1 for e in shift_events if e.type == "assignment.created")
    config = KafkaConfig(infra.bootstrap_servers, client_id="oneteam-sim", idempotence=False)
    settings = evaluation_settings(infra, alerts=False, reports=False)

    app = build(settings)
    async with serve(app) as client:
        per_topic = await simulate.publish(shift_events, config)
        assert sum(per_topic.values()) == len(shift_events)
        assert await day_figures(client, tenant, commander, tuple(expected), expected) == expected

        await simulate.publish(shift_events, config)  # emitted twice: the same event ids
        (consumer, _), = app.state.runtime.consumers
        assert await caught_up(infra.bootstrap_servers, consumer.group, sorted(per_topic))
        assert await day_figures(client, tenant, commander, tuple(expected)) == expected

        report = await client.get(f"/v1/tenants/{tenant}/reports/daily", headers=commander,
                                  params={"day": str(DAY)})
        workbook = await client.get(f"/v1/tenants/{tenant}/reports/daily", headers=commander,
                                    params={"day": str(DAY), "format": "xlsx"})
        pdf = await client.get(f"/v1/tenants/{tenant}/reports/daily", headers=commander,
                               params={"day": str(DAY), "format": "pdf"})

    assert report.status_code == 200, report.text
    lines = {line["kpi"]: line for line in report.json()["lines"]}
    assert {kpi: (lines[kpi]["numerator"], lines[kpi]["denominator"]) for kpi in STAGES} == {
        kpi: expected[kpi] for kpi in STAGES}
    rows = {row[0]: row for row in load_workbook(io.BytesIO(workbook.content))["指标"].iter_rows(values_only=True)}
    assert rows["arrived"][2:4] == expected["arrived"]
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
