"""An incident closed or merged away at intake ends in dispatch too: orders cancelled, officers free."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from oneteam_contracts import IncidentClosed, IncidentMerged, IncidentResolution, Priority, ReportSource
from oneteam_devstack.testing import Infra

from .conftest import (
    ADMIN,
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


async def close_at_intake(producer: Any, incident_id: str,
                          resolution: IncidentResolution = IncidentResolution.FALSE_REPORT) -> None:
    await publish(producer, IncidentClosed(incident_id=uuid.UUID(incident_id), resolution=resolution,
                                           closed_at=datetime.now(UTC)))


async def test_an_incident_closed_at_intake_cancels_its_order_frees_the_officer_and_tells_the_terminal(
    dispatch: httpx.AsyncClient, producer: Any, infra: Infra, area: Area, ids: Any,
) -> None:
    officer = ids("stood-down")
    await add_officer(dispatch, officer, area.at(100))
    incident_id = await report_incident(producer, area.at())
    order = await assignment_of(dispatch, incident_id)
    await dispatch.post(f"/v1/assignments/{order['id']}/acknowledge", headers=as_officer(officer))
    pushed: list[dict[str, Any]] = []

    async def listen() -> None:
        async with dispatch.stream("GET", "/v1/me/stream", headers=as_officer(officer)) as stream:
            event = None
            async for line in stream.aiter_lines():
                if line.startswith("event: "):
                    event = line[7:]
                elif line.startswith("data: ") and event == "cancelled":
                    pushed.append(json.loads(line[6:]))
                    return

    listener = asyncio.create_task(listen())
    await asyncio.sleep(0.5)  # subscribed
    await close_at_intake(producer, incident_id)
    await asyncio.wait_for(listener, 15)

    assert pushed[0]["id"] == order["id"] and pushed[0]["status"] == "cancelled"
    assert (await dispatch.get(f"/v1/officers/{officer}", headers=ADMIN)).json()["status"] == "available"
    # Created, acknowledged, cancelled: asking for two raced the relay, which may publish the
    # cancellation after a read has already found the first two.
    records = await read_events(infra, "oneteam.assignments", 3, lambda r: r.key == incident_id.encode())
    cancelled = [event_data(r)["data"] for r in records if event_data(r)["type"] == "assignment.cancelled"]
    assert cancelled == [{**cancelled[0], "officer_ids": [officer], "reason": "incident_closed"}]

    again = await dispatch.post(f"/v1/incidents/{incident_id}/assign", headers=COMMANDER,
                                json={"officer_ids": [officer], "reason": "send someone anyway"})
    override = await dispatch.post(f"/v1/assignments/{order['id']}/reassign", headers=COMMANDER,
                                   json={"officer_ids": [officer], "reason": "send someone anyway"})
    assert again.status_code == override.status_code == 409
    assert again.headers["content-type"] == "application/problem+json"
    board = (await dispatch.get("/v1/board", headers=COMMANDER)).json()
    assert all(row["incident_id"] != incident_id for row in board["incidents"])


async def test_a_queued_incident_merged_into_another_leaves_the_queue(
    dispatch: httpx.AsyncClient, producer: Any, area: Area, ids: Any,
) -> None:
    officer = ids("spare")
    await add_officer(dispatch, officer, area.at(50))
    incident_id = await report_incident(producer, area.at(), category="alien_landing")

    async def queued() -> bool:
        return any(row["incident_id"] == incident_id
                   for row in (await dispatch.get("/v1/queue", headers=COMMANDER)).json())

    await until(queued)
    await close_at_intake(producer, incident_id, IncidentResolution.DUPLICATE)

    async def gone() -> bool:
        return not await queued()

    await until(gone)
    refused = await dispatch.post(f"/v1/incidents/{incident_id}/assign", headers=COMMANDER,
                                  json={"officer_ids": [officer], "reason": "known to the grid worker"})
    assert refused.status_code == 409 and "closed" in refused.json()["detail"]


async def test_dispatchs_own_closing_comes_back_without_effect(
    dispatch: httpx.AsyncClient, producer: Any, infra: Infra, area: Area, ids: Any,
) -> None:
    officer = ids("closer")
    await add_officer(dispatch, officer, area.at(50))
    incident_id = await report_incident(producer, area.at())
    order = await assignment_of(dispatch, incident_id)
    url = f"/v1/assignments/{order['id']}"
    for step in ("acknowledge", "arrive"):
        assert (await dispatch.post(f"{url}/{step}", headers=as_officer(officer))).status_code == 200
    done = await dispatch.post(f"{url}/report", headers=as_officer(officer), json={"outcome": "resolved_on_site"})
    assert done.status_code == 200
    await read_events(infra, "oneteam.incidents", 1, lambda r: r.key == incident_id.encode()
                      and event_data(r)["type"] == "incident.closed")
    await close_at_intake(producer, incident_id)  # intake's echo of the same closure
    await asyncio.sleep(1.5)

    assert (await dispatch.get(url, headers=COMMANDER)).json()["status"] == "reported"
    records = await read_events(infra, "oneteam.assignments", 100, lambda r: r.key == incident_id.encode(),
                                timeout=1.0)
    assert "assignment.cancelled" not in [event_data(r)["type"] for r in records]


async def test_a_report_joining_the_incident_raises_its_priority_on_the_board(
    dispatch: httpx.AsyncClient, producer: Any, area: Area, ids: Any,
) -> None:
    await add_officer(dispatch, ids("board"), area.at(50))
    incident_id = await report_incident(producer, area.at())
    await assignment_of(dispatch, incident_id)
    await publish(producer, IncidentMerged(incident_id=uuid.UUID(incident_id), report_id=uuid.uuid4(),
                                           source=ReportSource.CITIZEN_APP, report_count=3, priority=Priority.HIGH,
                                           merged_at=datetime.now(UTC)))

    async def raised() -> bool:
        board = (await dispatch.get("/v1/board", headers=COMMANDER)).json()
        return any(row["incident_id"] == incident_id and row["priority"] == "high" for row in board["incidents"])

    await until(raised)
