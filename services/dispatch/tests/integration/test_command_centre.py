"""The command centre's hand: overrides held to the skills rule, and a queue subscribers can see."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from oneteam_devstack.testing import Infra

from .conftest import COMMANDER, Area, add_officer, assignment_of, event_data, read_events, report_incident
from .test_deadlines import until

pytestmark = pytest.mark.integration


async def test_an_override_to_an_officer_without_the_skills_is_refused_unless_forced_with_a_reason(
    dispatch: httpx.AsyncClient, producer: Any, area: Area, ids: Any,
) -> None:
    able, unskilled = ids("able"), ids("unskilled")
    await add_officer(dispatch, able, area.at(50))
    await add_officer(dispatch, unskilled, area.at(80), skills=[])
    order = await assignment_of(dispatch, await report_incident(producer, area.at()))  # street_vending
    url = f"/v1/assignments/{order['id']}/reassign"

    refused = await dispatch.post(url, headers=COMMANDER, json={"officer_ids": [unskilled], "reason": "closer"})
    forced = await dispatch.post(url, headers=COMMANDER,
                                 json={"officer_ids": [unskilled], "reason": "knows the vendor", "force": True})

    assert refused.status_code == 422 and refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["field"] == "officer_ids" and "street_order" in refused.json()["detail"]
    assert forced.status_code == 200 and forced.json()["officer_ids"] == [unskilled]
    assert "knows the vendor" in forced.json()["reason"] and "forced past" in forced.json()["reason"]


async def test_an_incident_nobody_can_take_raises_a_queued_event_and_a_manual_order_must_cover_every_department(
    dispatch: httpx.AsyncClient, producer: Any, infra: Infra, area: Area, ids: Any,
) -> None:
    alone = ids("alone")
    await add_officer(dispatch, alone, area.at(50))
    incident_id = await report_incident(producer, area.at(), category="fire_hazard")  # joint with emergency_management

    records = await read_events(infra, "oneteam.assignments", 1, lambda r: r.key == incident_id.encode())
    queued = event_data(records[0])
    assert queued["type"] == "assignment.queued"
    assert queued["data"]["reason"] == "no_officer_in_reach" and queued["data"]["category"] == "fire_hazard"
    assert set(queued["data"]) == {"incident_id", "assignment_id", "category", "priority", "reason", "queued_at"}

    async def on_queue() -> bool:
        return any(row["incident_id"] == incident_id
                   for row in (await dispatch.get("/v1/queue", headers=COMMANDER)).json())

    await until(on_queue)
    body = {"officer_ids": [alone], "reason": "the fire brigade is on its way"}
    refused = await dispatch.post(f"/v1/incidents/{incident_id}/assign", headers=COMMANDER, json=body)
    forced = await dispatch.post(f"/v1/incidents/{incident_id}/assign", headers=COMMANDER, json={**body, "force": True})

    assert refused.status_code == 422 and "emergency_management" in refused.json()["detail"]
    assert forced.status_code == 201 and forced.json()["officer_ids"] == [alone]
