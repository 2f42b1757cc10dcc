"""The 1-3-5-8 clock in the database: each deadline fires once with two replicas, and after a restart.

Noise incidents run on the test configuration's quick profile (acknowledge in 1.8 s,
arrive in 3 s, report in 3.6 s), so a missed deadline takes seconds.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from oneteam_devstack.testing import Infra
from oneteam_dispatch.main import build
from oneteam_servicekit import ServiceSettings

from .conftest import (
    COMMANDER,
    Area,
    add_officer,
    as_officer,
    assignment_of,
    dispatch_settings,
    event_data,
    read_events,
    served,
)
from .conftest import report_incident as report

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
async def replicas(infra: Infra, config_dir: Path) -> AsyncIterator[tuple[httpx.AsyncClient, httpx.AsyncClient]]:
    """Two dispatch replicas sharing one database."""
    settings = dispatch_settings(infra, config_dir)
    async with served(build(settings)) as first:
        async with served(build(settings)) as second:
            yield first, second
        # The second leaving starts a rebalance; let the first rejoin before it leaves too. A
        # member stopped mid-rebalance lingers in the embedded broker's group, and the next
        # module's dispatch then waits minutes for its partitions.
        await asyncio.sleep(3 * ServiceSettings().kafka_session_timeout_ms / 1000 / 2)


async def events_of(infra: Infra, incident_id: str, settle: float = 1.5) -> list[dict[str, Any]]:
    records = await read_events(infra, "oneteam.assignments", 1000,
                               lambda r: r.key == incident_id.encode(), timeout=settle)
    return [event_data(r) for r in records]


async def until(check: Any, timeout: float = 15.0) -> Any:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        found = await check()
        if found:
            return found
        await asyncio.sleep(0.1)
    raise AssertionError("condition not met in time")


async def test_each_deadline_fires_once_across_two_replicas_reassigning_then_escalating(
    replicas: tuple[httpx.AsyncClient, httpx.AsyncClient], producer: Any, infra: Infra, area: Area, ids: Any,
) -> None:
    first, second = replicas
    silent, keen = ids("silent"), ids("keen")
    await add_officer(first, silent, area.at(100))
    await add_officer(first, keen, area.at(400))
    incident_id = await report(producer, area.at(), category="noise")
    order = await assignment_of(first, incident_id)
    assert order["officer_ids"] == [silent]

    async def moved_to_keen() -> bool:
        current = (await second.get(f"/v1/assignments/{order['id']}", headers=COMMANDER)).json()
        return bool(current["officer_ids"] == [keen])

    await until(moved_to_keen)
    acknowledged = await second.post(f"/v1/assignments/{order['id']}/acknowledge", headers=as_officer(keen))
    assert acknowledged.status_code == 200
    await asyncio.sleep(4.5)  # the keen officer's arrive and report deadlines pass too

    events = await events_of(infra, incident_id)
    types = Counter(e["type"] for e in events)
    breaches = [(e["data"]["stage"], e["data"]["deadline"]) for e in events if e["type"] == "assignment.sla_breached"]
    assert len(breaches) == len(set(breaches)), f"a deadline fired twice: {breaches}"
    assert sorted(stage for stage, _ in breaches) == ["acknowledge", "arrive", "report"]
    assert types["assignment.reassigned"] == 1 and types["assignment.escalated"] == 2
    board = (await first.get("/v1/board", headers=COMMANDER)).json()
    assert any(a.get("assignment_id") == order["id"] and a["stages"] == ["arrive", "report"]
               for a in board["alerts"])
