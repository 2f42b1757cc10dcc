"""Reminders before each session, warnings and missed time limits: fired once, across two replicas."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest
from fastapi import FastAPI

from oneteam_devstack.testing import Infra, serve
from oneteam_mediation.runtime import MediationRuntime

from .conftest import COMMANDER, MEDIATOR, MovableClock, build_app, events, next_weekday_at, settings

pytestmark = pytest.mark.integration


def scheduler_of(app: FastAPI) -> Any:
    runtime: MediationRuntime = app.state.runtime
    assert runtime.scheduler is not None
    return runtime.scheduler


async def test_reminders_and_a_missed_first_session_fire_once_across_two_replicas(infra: Infra) -> None:
    config = settings(infra, consume_handoffs=False, background=False)
    clock_a, clock_b = MovableClock(), MovableClock()
    first, second = build_app(config, clock_a), build_app(config, clock_b)
    async with serve(first) as a, serve(second):
        parties = [{"kind": "person"}, {"kind": "person"}]
        booked = (await a.post("/v1/mediations", headers=MEDIATOR,
                               json={"origin": "walk_in", "category": "dispute", "parties": parties})).json()
        idle = (await a.post("/v1/mediations", headers=MEDIATOR,
                             json={"origin": "walk_in", "category": "dispute", "parties": parties})).json()
        url = f"/v1/mediations/{booked['mediation']['id']}"
        for party in ("p1", "p2"):
            await a.post(f"{url}/consents", headers=MEDIATOR, json={"party_id": party, "consent": "given"})
        await a.put(f"{url}/mediator", headers=COMMANDER, json={"mediator_id": "cy-med-01"})
        start = next_weekday_at(clock_a, 10, days_ahead=2)
        scheduled = await a.post(f"{url}/sessions", headers=MEDIATOR, json={
            "starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=1)).isoformat()})
        assert scheduled.status_code == 201, scheduled.text

        # Past both reminders and the idle dispute's 5 working days, short of 30 days.
        clock_a.offset = clock_b.offset = (start - clock_a.now()) + timedelta(days=8)
        fired = await asyncio.gather(scheduler_of(first).run_once(), scheduler_of(second).run_once())
        again = await asyncio.gather(scheduler_of(first).run_once(), scheduler_of(second).run_once())
        later = (await a.get(f"/v1/mediations/{idle['mediation']['id']}", headers=COMMANDER)).json()
        # Read while the replicas run: their relays publish what the firing wrote to the outbox.
        reminders = [e for e in await events(infra, "oneteam.mediations", booked["mediation"]["id"], want=4,
                                             timeout=15) if e["type"] == "mediation.session_reminder"]
        found = await events(infra, "oneteam.mediations", idle["mediation"]["id"], want=3, timeout=15)

    # Booked: two reminders (its first session was on time); idle: the first-session warning and limit.
    assert sum(fired) == 4 and sum(again) == 0
    assert sorted(e["data"]["minutes_before"] for e in reminders) == [60, 1440]
    assert later["mediation"]["missed"] == ["first_session"]
    missed = [e for e in found if e["type"] == "mediation.deadline_missed"]
    warned = [e for e in found if e["type"] == "mediation.deadline_warning"]
    assert len(missed) == 1 and missed[0]["data"]["kind"] == "first_session"
    assert len(warned) == 1 and warned[0]["data"]["due_at"] == missed[0]["data"]["due_at"]
