"""AI-camera batches: thresholds, suppression, the auto-dispatch list and the review queue."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from oneteam_contracts import GeoPoint

from .conftest import Service
from .helpers import TENANT

pytestmark = pytest.mark.integration


def detection(spot: GeoPoint, camera: str, label: str = "street_vendor", confidence: float = 0.9,
              **changes: Any) -> dict[str, Any]:
    item: dict[str, Any] = {
        "detection_id": uuid.uuid4().hex, "camera_id": camera, "label": label, "confidence": confidence,
        "box": [10, 20, 200, 160], "snapshot_ref": f"cam/{camera}/frame.jpg",
        "detected_at": datetime.now(UTC).isoformat(), "location": spot.model_dump(mode="json"),
    }
    item.update(changes)
    return item


async def send(service: Service, client: httpx.AsyncClient, detections: list[dict[str, Any]]) -> dict[str, Any]:
    response = await client.post("/v1/detections", json={"tenant": TENANT, "detections": detections},
                                 headers=service.token("commander", subject="camera-gateway"))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_a_batch_from_one_camera_and_label_makes_one_incident(
    service: Service, intake: httpx.AsyncClient,
) -> None:
    camera = f"cam-{uuid.uuid4().hex[:6]}"
    spot = service.spots.next()

    body = await send(service, intake, [detection(spot, camera) for _ in range(200)])

    assert body["counts"] == {"opened": 1, "merged": 199}
    incident_ids = {r["incident_id"] for r in body["results"]}
    assert len(incident_ids) == 1
    incident_id = incident_ids.pop()
    incident = (await intake.get(f"/v1/incidents/{incident_id}", headers=service.token("commander"))).json()
    assert incident["report_count"] == 200 and incident["priority"] == "urgent"
    reported = await service.watcher.wait_for(
        lambda e: e["subject"] == incident_id and e["type"] == "incident.reported")
    assert reported[0]["data"]["source"] == "ai_camera"


async def test_the_same_camera_after_the_suppression_window_opens_a_new_incident(
    service: Service, intake: httpx.AsyncClient,
) -> None:
    camera, spot = f"cam-{uuid.uuid4().hex[:6]}", service.spots.next()
    first = await send(service, intake, [detection(spot, camera)])

    service.clock.advance(timedelta(minutes=31))  # street_vendor: suppress_min 30 (window 120 > 31)
    later = await send(service, intake, [detection(spot, camera)])

    # Past the camera's window the regular dedup rule still applies: same place, 120-min window.
    assert later["results"][0]["outcome"] == "merged"
    service.clock.advance(timedelta(minutes=121))
    much_later = await send(service, intake, [detection(spot, camera)])
    assert much_later["results"][0]["outcome"] == "opened"
    assert much_later["results"][0]["incident_id"] != first["results"][0]["incident_id"]


async def test_a_moving_target_seen_by_one_camera_stays_one_incident_within_the_window(
    service: Service, intake: httpx.AsyncClient,
) -> None:
    camera = f"cam-{uuid.uuid4().hex[:6]}"
    a, b = service.spots.next(), service.spots.next()  # 330 m apart: beyond the dedup radius

    body = await send(service, intake, [detection(a, camera), detection(b, camera)])

    assert [r["outcome"] for r in body["results"]] == ["opened", "merged"]


async def test_confidence_thresholds_ignore_review_or_accept(service: Service, intake: httpx.AsyncClient) -> None:
    spot = service.spots.next()

    body = await send(service, intake, [
        detection(spot, "cam-low", confidence=0.3),   # below ignore_below 0.5
        detection(spot, "cam-mid", confidence=0.6),   # below review_below 0.75
        detection(spot, "cam-high", confidence=0.95),
    ])

    assert [r["outcome"] for r in body["results"]] == ["ignored", "review", "opened"]
    assert body["results"][0]["report_id"] is None
    queue = (await intake.get("/v1/triage", params={"queue": "review"}, headers=service.token("commander"))).json()
    assert body["results"][1]["report_id"] in [item["report_id"] for item in queue]


async def test_labels_not_on_the_auto_dispatch_list_wait_for_review_until_confirmed(
    service: Service, intake: httpx.AsyncClient,
) -> None:
    spot = service.spots.next()
    body = await send(service, intake, [detection(spot, "cam-smoke", label="smoke", confidence=0.99)])
    waiting = body["results"][0]
    assert waiting["outcome"] == "review" and waiting["incident_id"] is None

    decided = await intake.post(f"/v1/triage/{waiting['report_id']}", json={"category": "fire_hazard"},
                                headers=service.token("commander"))

    assert decided.status_code == 200, decided.text
    incident_id = decided.json()["incident_id"]
    events = await service.watcher.about(incident_id)
    assert events[0]["type"] == "incident.reported" and events[0]["data"]["category"] == "fire_hazard"
    repeat = await intake.post(f"/v1/triage/{waiting['report_id']}", json={"category": "fire_hazard"},
                               headers=service.token("commander"))
    assert repeat.json()["incident_id"] == incident_id
    other = await intake.post(f"/v1/triage/{waiting['report_id']}", json={"dismiss": True},
                              headers=service.token("commander"))
    assert other.status_code == 409


async def test_a_resent_batch_adds_nothing(service: Service, intake: httpx.AsyncClient) -> None:
    batch = [detection(service.spots.next(), f"cam-{uuid.uuid4().hex[:6]}") for _ in range(3)]
    first = await send(service, intake, batch)

    again = await send(service, intake, batch)

    assert again["counts"] == {"duplicate": 3}
    assert [r["report_id"] for r in again["results"]] == [r["report_id"] for r in first["results"]]


async def test_unknown_label_or_outside_point_is_rejected_alone(service: Service, intake: httpx.AsyncClient) -> None:
    spot = service.spots.next()

    body = await send(service, intake, [
        detection(spot, "cam-x", label="ufo"),
        detection(GeoPoint(lon=120.3, lat=30.3), "cam-y"),
        detection(spot, "cam-z", label="ebike_misparked"),
    ])

    assert [r["outcome"] for r in body["results"]] == ["rejected", "rejected", "opened"]
    assert "ufo" in body["results"][0]["reason"] and "outside tenant" in body["results"][1]["reason"]


async def test_a_malformed_batch_is_refused_whole_naming_the_field(
    service: Service, intake: httpx.AsyncClient,
) -> None:
    response = await intake.post("/v1/detections", json={"tenant": TENANT, "detections": [
        detection(service.spots.next(), "cam-1", confidence=1.5)]}, headers=service.token("commander"))

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "detections.0.confidence"


@pytest.mark.parametrize(("headers", "status"), [({}, 401), ({"roles": ("citizen",)}, 403),
                                                 ({"roles": ("officer",)}, 403)])
async def test_only_the_command_centre_may_post_detections(
    service: Service, intake: httpx.AsyncClient, headers: dict[str, Any], status: int,
) -> None:
    auth = service.token(*headers["roles"]) if headers else {}

    response = await intake.post("/v1/detections", json={"tenant": TENANT, "detections": [
        detection(service.spots.next(), "cam-1")]}, headers=auth)

    assert response.status_code == status
