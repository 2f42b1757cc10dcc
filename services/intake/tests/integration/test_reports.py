"""Submitting reports over HTTP: stored, published, safe to retry, refused when bad."""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

import httpx
import pytest

from oneteam_devstack.testing import Infra, read_topic

pytestmark = pytest.mark.integration


def a_report(**changes: Any) -> dict[str, Any]:
    report: dict[str, Any] = {
        "tenant": "330106004", "category": "street_vending", "description": "摊贩占道经营",
        "location": {"lon": 120.125, "lat": 30.29},
        "contact": {"name": "张三", "phone": "13800001111"},
    }
    report.update(changes)
    return report


async def published(infra: Infra, incident_id: str) -> list[dict[str, Any]]:
    records = await read_topic(infra.bootstrap_servers, "oneteam.incidents", 1,
                               lambda r: r.key == incident_id.encode())
    return [json.loads(r.value) for r in records]


async def test_accepted_report_opens_an_incident_and_is_published_without_personal_data(
    intake: httpx.AsyncClient, infra: Infra,
) -> None:
    response = await intake.post("/v1/reports", json=a_report())

    assert response.status_code == 201, response.text
    body = response.json()
    events = await published(infra, body["incident_id"])
    assert [e["type"] for e in events] == ["incident.reported"]
    assert events[0]["data"]["report_id"] == body["report_id"]
    raw = json.dumps(events)
    assert "13800001111" not in raw and "张三" not in raw
    incident = (await intake.get(f"/v1/incidents/{body['incident_id']}")).json()
    assert incident["status"] in {"reported", "assigned"}
    assert "phone" not in json.dumps(incident)


async def test_retry_with_the_same_idempotency_key_returns_the_first_result(
    intake: httpx.AsyncClient,
) -> None:
    headers = {"Idempotency-Key": f"app-{uuid.uuid4()}"}

    first = await intake.post("/v1/reports", json=a_report(), headers=headers)
    again = await intake.post("/v1/reports", json=a_report(), headers=headers)

    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()


async def test_concurrent_retries_create_one_report(intake: httpx.AsyncClient) -> None:
    headers = {"Idempotency-Key": f"app-{uuid.uuid4()}"}

    answers = await asyncio.gather(*(intake.post("/v1/reports", json=a_report(), headers=headers)
                                     for _ in range(5)))

    assert {a.status_code for a in answers} == {201}
    assert len({a.json()["report_id"] for a in answers}) == 1


async def test_client_report_id_also_makes_a_retry_safe(intake: httpx.AsyncClient) -> None:
    report = a_report(client_report_id=f"device-1/{uuid.uuid4()}")

    first = await intake.post("/v1/reports", json=report)
    again = await intake.post("/v1/reports", json=report)

    assert again.json()["report_id"] == first.json()["report_id"]


async def test_reusing_a_key_for_a_different_report_is_refused(intake: httpx.AsyncClient) -> None:
    headers = {"Idempotency-Key": f"app-{uuid.uuid4()}"}
    await intake.post("/v1/reports", json=a_report(), headers=headers)

    clash = await intake.post("/v1/reports", json=a_report(description="另一件事"), headers=headers)

    assert clash.status_code == 422
    assert clash.headers["content-type"] == "application/problem+json"
    assert "Idempotency-Key" in clash.json()["detail"]


@pytest.mark.parametrize(("change", "field"), [
    ({"tenant": "33"}, "tenant"),
    ({"category": "Street Vending"}, "category"),
    ({"description": ""}, "description"),
    ({"location": {"lon": 120.1, "lat": 95}}, "location.lat"),
    ({"location": {"lon": 200, "lat": 30}}, "location.lon"),
    ({"source": "pigeon"}, "source"),
    ({"contact": {"phone": "call me"}}, "contact.phone"),
    ({"surprise": 1}, "surprise"),
])
async def test_bad_report_is_refused_naming_the_field(
    intake: httpx.AsyncClient, change: dict[str, Any], field: str,
) -> None:
    response = await intake.post("/v1/reports", json=a_report(**change))

    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert field in [e["field"] for e in response.json()["errors"]]


async def test_malformed_json_is_a_problem_not_a_crash(intake: httpx.AsyncClient) -> None:
    response = await intake.post("/v1/reports", content=b"{oops",
                                 headers={"content-type": "application/json"})

    assert response.status_code == 422
    assert response.json()["type"].endswith("/validation-error")


async def test_unknown_report_is_a_404_problem(intake: httpx.AsyncClient) -> None:
    response = await intake.get(f"/v1/reports/{uuid.uuid4()}")

    assert response.status_code == 404
    assert response.json()["type"].endswith("/not-found")


async def test_gcj02_location_is_stored_as_wgs84(intake: httpx.AsyncClient) -> None:
    body = (await intake.post("/v1/reports", json=a_report(
        location={"lon": 120.1297, "lat": 30.2873, "crs": "gcj02"}))).json()

    incident = (await intake.get(f"/v1/incidents/{body['incident_id']}")).json()

    assert incident["location"]["crs"] == "wgs84"
    assert 0.003 < 120.1297 - incident["location"]["lon"] < 0.006  # GCJ-02 lies ~400 m east here
