"""Other platforms pushing reports: signed webhooks and the inbound Kafka topic."""

from __future__ import annotations

import json
import time
import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from oneteam_contracts import GeoPoint, ReportSubmitted
from oneteam_servicekit.signatures import sign

from .conftest import Service
from .helpers import TENANT, between

pytestmark = pytest.mark.integration

PLATFORM = "hotline-12345"


def push(spot: GeoPoint, **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "tenant": TENANT, "external_id": f"12345-{uuid.uuid4().hex[:10]}", "source": "hotline_12345",
        "source_code": "0103", "description": "市民来电：小区门口堆放旧家具",
        "location": spot.model_dump(mode="json"), "contact": {"name": "李四", "phone": "13600003333"},
    }
    body.update(changes)
    return body


def signed(service: Service, body: bytes, *, platform: str = PLATFORM, stamp: int | None = None,
           key: str | None = None) -> dict[str, str]:
    timestamp = str(int(time.time()) if stamp is None else stamp)
    secret = key or service.settings.platform_keys[platform]
    return {"Content-Type": "application/json", "X-OneTeam-Timestamp": timestamp,
            "X-OneTeam-Signature": sign(secret.encode(), timestamp, body)}


async def test_signed_push_becomes_an_incident_with_the_mapped_category(
    service: Service, intake: httpx.AsyncClient,
) -> None:
    body = json.dumps(push(service.spots.next())).encode()

    response = await intake.post(f"/v1/inbound/{PLATFORM}", content=body, headers=signed(service, body))

    assert response.status_code == 201, response.text
    receipt = response.json()
    assert receipt["category"] == "dumped_waste"  # hotline code 0103 in the catalog
    events = await service.watcher.about(receipt["incident_id"])
    assert events[0]["data"]["source"] == "hotline_12345"
    assert "13600003333" not in json.dumps(events) and "李四" not in json.dumps(events, ensure_ascii=False)


async def test_a_re_signed_retry_of_the_same_report_returns_the_first_receipt(
    service: Service, intake: httpx.AsyncClient,
) -> None:
    body = json.dumps(push(service.spots.next())).encode()
    first = await intake.post(f"/v1/inbound/{PLATFORM}", content=body, headers=signed(service, body))

    retry = await intake.post(f"/v1/inbound/{PLATFORM}", content=body,
                              headers=signed(service, body, stamp=int(time.time()) + 1))

    assert retry.status_code == 200
    assert retry.json()["report_id"] == first.json()["report_id"] and retry.json()["duplicate"] is True


async def test_replayed_request_is_refused(service: Service, intake: httpx.AsyncClient) -> None:
    body = json.dumps(push(service.spots.next())).encode()
    headers = signed(service, body)
    await intake.post(f"/v1/inbound/{PLATFORM}", content=body, headers=headers)

    replay = await intake.post(f"/v1/inbound/{PLATFORM}", content=body, headers=headers)

    assert replay.status_code == 409 and replay.json()["type"].endswith("/replayed")


@pytest.mark.parametrize("tamper", ["body", "key", "old", "future", "missing", "platform"])
async def test_bad_signatures_are_refused(service: Service, intake: httpx.AsyncClient, tamper: str) -> None:
    body = json.dumps(push(service.spots.next())).encode()
    headers = signed(service, body)
    platform = PLATFORM
    if tamper == "body":
        body = body.replace(b"0103", b"0101")
    elif tamper == "key":
        headers = signed(service, body, key="not-the-key")
    elif tamper == "old":
        headers = signed(service, body, stamp=int(time.time()) - 301)
    elif tamper == "future":
        headers = signed(service, body, stamp=int(time.time()) + 301)
    elif tamper == "missing":
        del headers["X-OneTeam-Signature"]
    else:
        platform = "unknown-platform"

    response = await intake.post(f"/v1/inbound/{platform}", content=body, headers=headers)

    assert response.status_code == 401
    assert response.json()["type"].endswith("/bad-signature")


async def test_unmapped_source_code_goes_to_triage(service: Service, intake: httpx.AsyncClient) -> None:
    body = json.dumps(push(service.spots.next(), source_code="9999", description="噪音扰民，晚上施工")).encode()

    response = await intake.post(f"/v1/inbound/{PLATFORM}", content=body, headers=signed(service, body))

    assert response.status_code == 201 and response.json()["status"] == "triage"


async def test_a_correctly_signed_bad_body_names_the_field(service: Service, intake: httpx.AsyncClient) -> None:
    body = json.dumps(push(service.spots.next(), location={"lon": 120.12, "lat": "north"})).encode()

    response = await intake.post(f"/v1/inbound/{PLATFORM}", content=body, headers=signed(service, body))

    assert response.status_code == 422
    assert "location.lat" in [e["field"] for e in response.json()["errors"]]


async def test_report_submitted_on_kafka_becomes_an_incident_once(service: Service) -> None:
    description = f"区事件中心转办 {uuid.uuid4().hex[:8]}"
    # Off the grid: later modules' intakes consume this event too (`helpers.between`).
    location = between(service.spots.next(), north=0)
    spot = (location.lon, location.lat)
    report = ReportSubmitted(platform="district-centre", external_id=f"dc-{uuid.uuid4().hex[:8]}",
                             source_code="CG-ZDJY", description=description, location=location,
                             occurred_at=datetime.now(UTC))

    await service.publish(report, subject=report.external_id)
    await service.publish(report, subject=report.external_id)  # a platform's re-send: a new event, same id

    def ours(event: dict[str, Any]) -> bool:
        # Events carry no free text: the report is recognised by its (unique) test spot.
        where = event["data"].get("location") or {}
        return event["type"] == "incident.reported" and (where.get("lon"), where.get("lat")) == spot

    events = await service.watcher.wait_for(ours)
    assert len(events) == 1, "the inbound consumer opened an incident"
    assert events[0]["data"]["category"] == "street_vending" and events[0]["data"]["source"] == "platform"
    assert len(await service.watcher.wait_for(ours, count=2, timeout=3)) == 1, "the re-send added nothing"
