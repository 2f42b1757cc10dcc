"""Legal deadlines in the database: each fires once across two replicas, and after a restart."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

import pytest

from oneteam_devstack.testing import Infra, serve

from .conftest import COMMANDER, MovableClock, build_app, case_events, case_settings, officer, runtime_of

pytestmark = pytest.mark.integration


async def test_a_missed_filing_deadline_fires_once_across_two_replicas_and_not_again_after_restart(
        infra: Infra) -> None:
    settings = case_settings(infra, consume_handoffs=False, background=False)
    clock_a, clock_b = MovableClock(), MovableClock()
    first, second = build_app(settings, clock_a), build_app(settings, clock_b)
    async with serve(first) as a, serve(second):
        opened = await a.post("/v1/cases", json={"category": "fire_hazard"}, headers=officer("o-1"))
        late = await a.post("/v1/cases", json={"category": "e_bike_parking"}, headers=officer("o-1"))
        case_id, late_id = opened.json()["case"]["id"], late.json()["case"]["id"]
        clock_a.offset = clock_b.offset = timedelta(days=40)  # past 15 working days, whatever the holidays
        fired = await asyncio.gather(runtime_of(first).scheduler.run_once(),  # type: ignore[union-attr]
                                     runtime_of(second).scheduler.run_once())  # type: ignore[union-attr]
        # Each case: a warning and the deadline, four rows, each handled by exactly one replica.
        assert sum(fired) == 4
        board = (await a.get("/v1/board/deadlines", headers=COMMANDER)).json()
        assert {row["case_id"] for row in board} >= {case_id, late_id}

    restarted = build_app(settings, MovableClock())
    runtime_of(restarted).clock.offset = timedelta(days=41)  # type: ignore[attr-defined]
    async with serve(restarted):
        assert await runtime_of(restarted).scheduler.run_once() == 0  # type: ignore[union-attr]

    missed = await case_events(infra, case_id, "case.deadline_missed", timeout=4)
    warnings = await case_events(infra, case_id, "case.deadline_warning")
    assert len(missed) == 1 and missed[0]["data"]["kind"] == "filing" and len(warnings) == 1


async def test_a_deadline_that_passed_while_no_replica_ran_fires_once_after_the_restart(infra: Infra) -> None:
    settings = case_settings(infra, consume_handoffs=False, background=False)
    async with serve(build_app(settings)) as before:
        opened = await before.post("/v1/cases", json={"category": "street_vending"},
                                   headers={**officer("o-2"), "Idempotency-Key": uuid.uuid4().hex})
        case_id = opened.json()["case"]["id"]
    clock = MovableClock()
    clock.offset = timedelta(days=40)  # the deadline passed while nothing ran
    after = build_app(settings.model_copy(update={"background": True}), clock)
    async with serve(after) as client:
        for _ in range(50):
            case = (await client.get(f"/v1/cases/{case_id}", headers=COMMANDER)).json()["case"]
            if case["missed"]:
                break
            await asyncio.sleep(0.1)
    assert case["missed"] == ["filing"]
    assert len(await case_events(infra, case_id, "case.deadline_missed", timeout=4)) == 1
