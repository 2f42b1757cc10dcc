"""An incident reopened at intake comes back to dispatch as new work, carrying its history."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from oneteam_contracts import GeoPoint, IncidentReopened, Priority, ReopenReason
from oneteam_devstack.testing import Infra

from .conftest import (
    COMMANDER,
    Area,
    add_officer,
    as_officer,
    assignment_of,
    event_data,
    publish,
    read_events,
    report_incident,
)
from .test_deadlines import until

pytestmark = pytest.mark.integration


def reopening(incident_id: str, at: dict[str, float], count: int, *, category: str = "street_vending",
              priority: Priority = Priority.HIGH) -> IncidentReopened:
    return IncidentReopened(incident_id=uuid.UUID(incident_id), category=category, location=GeoPoint(**at),
                            priority=priority, reason=ReopenReason.STILL_PRESENT, reopened_at=datetime.now(UTC),
                            reopen_count=count)


async def orders_of(client: httpx.AsyncClient, incident_id: str) -> list[dict[str, Any]]:
    return list((await client.get("/v1/assignments", params={"incident_id": incident_id},
                                  headers=COMMANDER)).json())


async def test_a_closed_incident_reopened_by_its_reporter_is_ordered_again_with_its_history(
    dispatch: httpx.AsyncClient, producer: Any, infra: Infra, area: Area, ids: Any,
) -> None:
    officer = ids("first")
    await add_officer(dispatch, officer, area.at(50))
    incident_id = await report_incident(producer, area.at())
    first = await assignment_of(dispatch, incident_id)
    url = f"/v1/assignments/{first['id']}"
    for step in ("acknowledge", "arrive"):
        assert (await dispatch.post(f"{url}/{step}", headers=as_officer(officer))).status_code == 200
    resolved = await dispatch.post(f"{url}/report", headers=as_officer(officer), json={"outcome": "resolved_on_site"})
    assert resolved.status_code == 200
    # Intake reopens only after it heard dispatch's incident.closed, which comes first on the partition.
    await read_events(infra, "oneteam.incidents", 1, lambda r: r.key == incident_id.encode()
                      and event_data(r)["type"] == "incident.closed")

    await publish(producer, reopening(incident_id, area.at(), 1))
    await publish(producer, reopening(incident_id, area.at(), 1))  # the same reopening again: one new order

    async def ordered_again() -> list[dict[str, Any]]:
        found = await orders_of(dispatch, incident_id)
        return found if len(found) >= 2 else []

    newest, earlier = (await until(ordered_again))[:2]
    assert earlier["id"] == first["id"] and earlier["outcome"] == "resolved_on_site"
    assert newest["status"] == "created" and newest["priority"] == "high"
    assert "reopened 1× at intake" in newest["reason"]
    assert len(await orders_of(dispatch, incident_id)) == 2


async def test_a_reopened_incident_dispatch_never_heard_of_is_matched_as_new_work(
    dispatch: httpx.AsyncClient, producer: Any, area: Area, ids: Any,
) -> None:
    await add_officer(dispatch, ids("stranger"), area.at(50))
    incident_id = str(uuid.uuid4())

    await publish(producer, reopening(incident_id, area.at(), 2))

    order = await assignment_of(dispatch, incident_id)
    assert order["officer_ids"] == [ids("stranger")] and "reopened 2× at intake" in order["reason"]
