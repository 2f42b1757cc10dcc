"""Events on Kafka become figures; redelivery changes nothing; another tenant sees nothing; a rebuild equals live.

In a module of its own: the evaluation started here must be the only member of its consumer group.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from aiokafka import AIOKafkaProducer
from sqlalchemy import func, select

from oneteam_devstack.testing import Infra, serve
from oneteam_evaluation import settling
from oneteam_evaluation.main import build
from oneteam_evaluation.rebuild import rebuild
from oneteam_evaluation.store.tables import days
from oneteam_eventbus import inbox
from oneteam_servicekit.auth import Role

from .conftest import evaluation_settings, figures, publish, shares_when, token
from .scenario import EXPECTED, envelopes, morning, random_tenant

pytestmark = pytest.mark.integration

START = datetime.now(UTC).replace(microsecond=0) - timedelta(days=2)
WINDOW = {"from": (START - timedelta(days=1)).isoformat(), "to": (START + timedelta(days=1)).isoformat()}
BREAKDOWNS = [("acknowledged", "day", "officer"), ("satisfaction", "day", "grid"), ("on_time_closure", "hour", "team"),
              ("front_line_resolution", "month", "district"), ("merged_reports", "week", "source")]


async def test_events_become_figures_once_per_event_for_their_tenant_only_and_a_rebuild_gives_the_same(
        infra: Infra, producer: AIOKafkaProducer) -> None:
    tenant, other = random_tenant(), random_tenant()
    commander, other_commander = token([Role.COMMANDER], tenant), token([Role.COMMANDER], other)
    history = envelopes(morning(START), tenant)
    # Out of order: B's closure and rating before its order; A's acknowledgement before its order.
    late_first = [history[12], history[13], history[9], history[2], *history[:2], *history[3:9], history[10],
                  history[11]]
    assert sorted(e.id for e in late_first) == sorted(e.id for e in history)
    settings = evaluation_settings(infra, settle_quiet_s=0)

    first = build(settings)
    async with serve(first) as client:
        await publish(producer, late_first)
        await publish(producer, envelopes(morning(START), other)[:3])
        live = await shares_when(client, tenant, commander, EXPECTED, WINDOW)
        assert live == EXPECTED

        await publish(producer, history)  # every event again: a redelivery
        await asyncio.sleep(3)
        assert await shares_when(client, tenant, commander, EXPECTED, WINDOW, timeout=1) == EXPECTED
        breakdowns = {b: await figures(client, tenant, b[0], commander, period=b[1], dimension=b[2], **WINDOW)
                      for b in BREAKDOWNS}

        mine_for_other = await client.get(f"/v1/tenants/{tenant}/kpis/acknowledged", headers=other_commander)
        assert mine_for_other.status_code == 403
        others = await shares_when(client, other, other_commander, {"acknowledged": (1, 1)}, WINDOW)
        assert others == {"acknowledged": (1, 1)}  # its one order only, none of ours

        # Rebuilt while this service runs: what its old group goes on applying, the replay applies
        # too, and the merges make a second application change nothing.
        done = await rebuild(settings.model_copy(update={"run_migrations": False}), timeout_s=120)
        assert done.generation == 1 and done.events >= len(history)
        assert await shares_when(client, tenant, commander, EXPECTED, WINDOW, timeout=1) == EXPECTED
        for b, before in breakdowns.items():
            assert await figures(client, tenant, b[0], commander, period=b[1], dimension=b[2], **WINDOW) == before
        # The rebuild emptied the stored days and marked every day of the replayed facts; stored again,
        # they give the same figures.
        await settling.settle_due(first.state.runtime)
        async with first.state.runtime.sessions() as session:
            assert await session.scalar(select(func.count()).select_from(days).where(
                days.c.tenant == tenant, days.c.settled_version == days.c.version)) >= 1
        for b, before in breakdowns.items():
            assert await figures(client, tenant, b[0], commander, period=b[1], dimension=b[2], **WINDOW) == before

    # Restarted, the service joins the new generation's group where the rebuild stopped: only what is new.
    app = build(settings)
    async with serve(app) as client:
        late = envelopes(morning(START), tenant)
        await publish(producer, late[:3])  # a third order, acknowledged within its minute
        assert await shares_when(client, tenant, commander, {"acknowledged": (2, 3)}, WINDOW) == {
            "acknowledged": (2, 3)}
        async with app.state.runtime.sessions() as session:
            handled = await session.scalar(select(func.count()).select_from(inbox))
        assert handled < len(history), "the new group re-read what the rebuild had applied"
