"""Camera batches decided set-based: what deciding a whole batch at once could get wrong."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from oneteam_contracts import GeoPoint
from oneteam_intake.domain.reports import Incident, IncidentStatus
from oneteam_intake.store import batches, incidents

from .conftest import Service
from .helpers import TENANT
from .test_detections import detection, send

pytestmark = pytest.mark.integration


def beside(spot: GeoPoint, metres: float) -> GeoPoint:
    """A point `metres` east of `spot` (street vending merges within 80 m)."""
    return GeoPoint(lon=round(spot.lon + metres / 96_000, 6), lat=spot.lat)


async def incident(service: Service, client: httpx.AsyncClient, incident_id: str) -> dict[str, Any]:
    response = await client.get(f"/v1/incidents/{incident_id}", headers=service.token("commander"))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_two_cameras_seeing_one_new_problem_in_one_batch_open_one_incident(
    service: Service, intake: httpx.AsyncClient,
) -> None:
    spot = service.spots.next()

    body = await send(service, intake, [detection(spot, f"cam-{uuid.uuid4().hex[:6]}"),
                                        detection(beside(spot, 30), f"cam-{uuid.uuid4().hex[:6]}")])

    first, second = body["results"]
    assert [first["outcome"], second["outcome"]] == ["opened", "merged"]
    assert first["incident_id"] == second["incident_id"]
    assert (await incident(service, intake, first["incident_id"]))["report_count"] == 2
    events = await service.watcher.about(first["incident_id"], count=2)
    assert [e["type"] for e in events] == ["incident.reported", "incident.merged"]
    assert [e["data"]["report_id"] for e in events] == [first["report_id"], second["report_id"]]
    assert events[1]["data"]["report_count"] == 2


async def test_a_batch_joins_existing_incidents_and_opens_new_ones_in_one_go(
    service: Service, intake: httpx.AsyncClient,
) -> None:
    old_spot, new_spot, far_spot = service.spots.next(), service.spots.next(), service.spots.next()
    existing = (await send(service, intake, [detection(old_spot, f"cam-{uuid.uuid4().hex[:6]}")]))["results"][0]

    body = await send(service, intake, [
        detection(beside(old_spot, 20), f"cam-{uuid.uuid4().hex[:6]}"),
        detection(new_spot, f"cam-{uuid.uuid4().hex[:6]}"),
        detection(beside(old_spot, 40), f"cam-{uuid.uuid4().hex[:6]}"),
        detection(beside(new_spot, 25), f"cam-{uuid.uuid4().hex[:6]}"),
        detection(far_spot, f"cam-{uuid.uuid4().hex[:6]}", label="ebike_misparked"),
    ])

    results = body["results"]
    assert [r["outcome"] for r in results] == ["merged", "opened", "merged", "merged", "opened"]
    assert results[0]["incident_id"] == results[2]["incident_id"] == existing["incident_id"]
    assert results[1]["incident_id"] == results[3]["incident_id"] != existing["incident_id"]
    assert (await incident(service, intake, existing["incident_id"]))["report_count"] == 3
    assert (await incident(service, intake, results[1]["incident_id"]))["report_count"] == 2
    joined = await service.watcher.about(existing["incident_id"], count=3)
    assert [e["type"] for e in joined] == ["incident.reported", "incident.merged", "incident.merged"]
    assert [e["data"].get("report_count") for e in joined[1:]] == [2, 3]


async def test_a_retried_batch_with_its_idempotency_key_gets_the_first_answer_and_adds_nothing(
    service: Service, intake: httpx.AsyncClient,
) -> None:
    spot = service.spots.next()
    batch = {"tenant": TENANT, "detections": [detection(spot, f"cam-{uuid.uuid4().hex[:6]}"),
                                              detection(beside(spot, 10), f"cam-{uuid.uuid4().hex[:6]}")]}
    headers = {**service.token("commander", subject="camera-gateway"), "Idempotency-Key": f"gw-{uuid.uuid4()}"}
    first = await intake.post("/v1/detections", json=batch, headers=headers)
    assert first.status_code == 200, first.text

    again = await intake.post("/v1/detections", json=batch, headers=headers)

    assert again.status_code == 200 and again.json() == first.json()
    assert [r["outcome"] for r in again.json()["results"]] == ["opened", "merged"]
    incident_id = first.json()["results"][0]["incident_id"]
    assert (await incident(service, intake, incident_id))["report_count"] == 2
    changed = {**batch, "detections": batch["detections"][:1]}
    clash = await intake.post("/v1/detections", json=changed, headers=headers)
    assert clash.status_code == 422 and "Idempotency-Key" in clash.json()["detail"]


async def test_a_detection_sent_twice_in_one_batch_is_stored_once(
    service: Service, intake: httpx.AsyncClient,
) -> None:
    item = detection(service.spots.next(), f"cam-{uuid.uuid4().hex[:6]}")

    body = await send(service, intake, [item, item])

    first, repeat = body["results"]
    assert [first["outcome"], repeat["outcome"]] == ["opened", "duplicate"]
    assert repeat["report_id"] == first["report_id"] and repeat["incident_id"] == first["incident_id"]
    assert (await incident(service, intake, first["incident_id"]))["report_count"] == 1


async def test_a_detection_outside_the_tenant_sent_twice_is_refused_twice(
    service: Service, intake: httpx.AsyncClient,
) -> None:
    outside = detection(GeoPoint(lon=120.3, lat=30.3), "cam-far")

    body = await send(service, intake, [outside, detection(service.spots.next(), "cam-near"), outside])

    assert [r["outcome"] for r in body["results"]] == ["rejected", "opened", "rejected"]
    assert body["results"][0]["reason"] == body["results"][2]["reason"]


async def test_an_incident_closed_while_the_batch_decides_is_not_joined(
    service: Service, intake: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The batch reads its candidates unlocked and locks only those it joins: one that dispatch
    # closes in between must be seen closed, and the detection open a new incident instead.
    spot = service.spots.next()
    existing = (await send(service, intake, [detection(spot, f"cam-{uuid.uuid4().hex[:6]}")]))["results"][0]
    runtime = service.app.state.runtime
    lock_joined = batches.lock_joined

    async def closed_first(session: AsyncSession, ids: Sequence[UUID]) -> dict[UUID, Incident]:
        if UUID(existing["incident_id"]) in ids:
            async with runtime.transaction() as other:
                await incidents.set_status(other, UUID(existing["incident_id"]), IncidentStatus.CLOSED,
                                           datetime.now(UTC))
        return await lock_joined(session, ids)

    monkeypatch.setattr(batches, "lock_joined", closed_first)
    body = await send(service, intake, [detection(beside(spot, 20), f"cam-{uuid.uuid4().hex[:6]}")])

    result = body["results"][0]
    assert result["outcome"] == "opened" and result["incident_id"] != existing["incident_id"]
    assert (await incident(service, intake, existing["incident_id"]))["report_count"] == 1


async def test_a_batch_of_noise_alone_is_answered_and_stores_nothing(
    service: Service, intake: httpx.AsyncClient,
) -> None:
    spot = service.spots.next()
    noise = [detection(spot, f"cam-{uuid.uuid4().hex[:6]}", confidence=0.2) for _ in range(3)]

    outside = detection(GeoPoint(lon=120.3, lat=30.3), "cam-far")

    body = await send(service, intake, [*noise, outside])

    assert body["counts"] == {"ignored": 3, "rejected": 1}
    again = await send(service, intake, [outside])
    assert again["results"][0]["outcome"] == "rejected"  # refused, not stored: no duplicate of it
