"""The deadline scheduler never waits behind an officer acting on the same order (no deadlock).

Its dispatch runs no background loops and no consumer: the test notes the incident, then
drives the matcher and the scheduler by hand.
"""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from oneteam_contracts import GeoPoint, Priority
from oneteam_devstack.testing import Infra
from oneteam_dispatch import lifecycle
from oneteam_dispatch.main import build
from oneteam_dispatch.runtime import DispatchRuntime
from oneteam_dispatch.store import incidents as incident_store
from oneteam_servicekit import NotFound

from .conftest import COMMANDER, TENANT, Area, add_officer, dispatch_settings, served

pytestmark = pytest.mark.integration


async def test_a_due_deadline_of_an_order_being_acknowledged_is_left_for_the_next_poll(
    infra: Infra, config_dir: Path, area: Area, ids: Any,
) -> None:
    app = build(dispatch_settings(infra, config_dir, background=False, consume_incidents=False))
    async with served(app) as client:
        runtime: DispatchRuntime = app.state.runtime
        assert runtime.scheduler is not None
        order = await _an_order(client, runtime, area, ids("slow"))
        await asyncio.sleep(2.5)  # noise acknowledges within 1.8 s: the deadline is due

        async with runtime.transaction() as officer_request:  # the officer's acknowledge, mid-flight
            await lifecycle.load_for_update(officer_request, order["id"], None)
            skipped = await asyncio.wait_for(runtime.scheduler.run_once(), 3)
        fired = await asyncio.wait_for(runtime.scheduler.run_once(), 3)

    assert skipped == 0
    assert fired >= 1


async def test_an_officers_step_holds_its_incident_and_its_order_until_commit(
    infra: Infra, config_dir: Path, area: Area, ids: Any,
) -> None:
    app = build(dispatch_settings(infra, config_dir, background=False, consume_incidents=False))
    async with served(app) as client:
        runtime: DispatchRuntime = app.state.runtime
        order = await _an_order(client, runtime, area, ids("held"))
        incident_id = uuid.UUID(order["incident_id"])

        async with runtime.transaction() as officer_request:
            held = await lifecycle.load_for_update(officer_request, uuid.UUID(order["id"]), TENANT)
            assert str(held.id) == order["id"] and held.incident_id == incident_id
            for table, key in (("dispatch_incidents", incident_id), ("assignments", held.id)):
                async with runtime.sessions() as other:
                    with pytest.raises(DBAPIError, match="could not obtain lock"):
                        await other.execute(text(f"SELECT 1 FROM {table} WHERE id = :id FOR UPDATE NOWAIT"),
                                            {"id": key})
        with pytest.raises(NotFound):
            async with runtime.transaction() as session:
                await lifecycle.load_for_update(session, uuid.UUID(order["id"]), "another-tenant")


async def _an_order(client: Any, runtime: DispatchRuntime, area: Area, officer_id: str) -> dict[str, Any]:
    """A noise incident noted as the incidents consumer would, matched to `officer_id`: its order."""
    assert runtime.matcher is not None
    await add_officer(client, officer_id, area.at(100))
    incident_id = uuid.uuid4()
    async with runtime.transaction() as session:
        now = runtime.clock.now()
        await incident_store.add_incidents(session, [incident_store.Reported(
            id=incident_id, tenant=TENANT, category="noise", priority=Priority.NORMAL,
            location=GeoPoint(**area.at()), district=None, grid=None, event_id=None, correlation_id=None,
            reported_at=now)], now)
    await runtime.matcher.run_once()
    response = await client.get("/v1/assignments", params={"incident_id": str(incident_id)}, headers=COMMANDER)
    order: dict[str, Any] = response.json()[0]
    return order
