"""Submitting reports from mobile apps: stored, placed, published, safe to retry, refused when bad."""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

import httpx
import pytest

from .conftest import Service
from .helpers import PHOTO_PNG, TENANT, a_report

pytestmark = pytest.mark.integration


async def test_accepted_report_opens_an_incident_and_is_published_without_personal_data(
    service: Service, public: httpx.AsyncClient,
) -> None:
    response = await public.post("/v1/reports", json=a_report(
        service.spots.next(), description="摊贩占道经营，联系我 13912345678 或 zhang@example.com"))

    assert response.status_code == 201, response.text
    body = response.json()
    events = await service.watcher.about(body["incident_id"])
    assert [e["type"] for e in events] == ["incident.reported"]
    data = events[0]["data"]
    assert data["report_id"] == body["report_id"]
    assert data["district"] and data["grid"], "the event names the district and grid"
    raw = json.dumps(events, ensure_ascii=False)
    for personal in ("13800001111", "张三", "13912345678", "zhang@example.com"):
        assert personal not in raw
    incident = (await public.get(f"/v1/incidents/{body['incident_id']}",
                                 headers=service.token("officer"))).json()
    assert incident["status"] in {"reported", "assigned"}
    assert "13800001111" not in json.dumps(incident)


async def test_retry_with_the_same_idempotency_key_returns_the_first_result(
    service: Service, public: httpx.AsyncClient,
) -> None:
    headers = {"Idempotency-Key": f"app-{uuid.uuid4()}"}
    report = a_report(service.spots.next())

    first = await public.post("/v1/reports", json=report, headers=headers)
    again = await public.post("/v1/reports", json=report, headers=headers)

    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()


async def test_concurrent_retries_create_one_report(service: Service, public: httpx.AsyncClient) -> None:
    headers = {"Idempotency-Key": f"app-{uuid.uuid4()}"}
    report = a_report(service.spots.next())

    answers = await asyncio.gather(*(public.post("/v1/reports", json=report, headers=headers) for _ in range(5)))

    assert {a.status_code for a in answers} == {201}
    assert len({a.json()["report_id"] for a in answers}) == 1
    events = await service.watcher.about(answers[0].json()["incident_id"], count=2, timeout=2)
    assert len(events) == 1


async def test_client_report_id_also_makes_a_retry_safe(service: Service, public: httpx.AsyncClient) -> None:
    report = a_report(service.spots.next(), client_report_id=f"device-1/{uuid.uuid4()}")

    first = await public.post("/v1/reports", json=report)
    again = await public.post("/v1/reports", json=report)

    assert again.json()["report_id"] == first.json()["report_id"]


async def test_reusing_a_key_for_a_different_report_is_refused(service: Service, public: httpx.AsyncClient) -> None:
    headers = {"Idempotency-Key": f"app-{uuid.uuid4()}"}
    spot = service.spots.next()
    await public.post("/v1/reports", json=a_report(spot), headers=headers)

    clash = await public.post("/v1/reports", json=a_report(spot, description="另一件事"), headers=headers)

    assert clash.status_code == 422
    assert clash.headers["content-type"] == "application/problem+json"
    assert "Idempotency-Key" in clash.json()["detail"]


@pytest.mark.parametrize(("change", "field"), [
    ({"tenant": "33"}, "tenant"),
    ({"tenant": "330106999"}, "tenant"),
    ({"category": "Street Vending"}, "category"),
    ({"category": "parking_on_the_moon"}, "category"),
    ({"description": ""}, "description"),
    ({"location": {"lon": 120.1, "lat": 95}}, "location.lat"),
    ({"location": {"lon": 200, "lat": 30}}, "location.lon"),
    ({"location": {"lon": 120.2, "lat": 30.3}}, "location"),
    ({"location": {"lon": 120.12, "lat": 30.29, "crs": "bd09"}}, "location.crs"),
    ({"source": "pigeon"}, "source"),
    ({"contact": {"phone": "call me"}}, "contact.phone"),
    ({"contact": {"email": "not-an-address"}}, "contact.email"),
    ({"photo_ids": ["0" * 64]}, "photo_ids"),
    ({"surprise": 1}, "surprise"),
])
async def test_bad_report_is_refused_naming_the_field(
    public: httpx.AsyncClient, change: dict[str, Any], field: str,
) -> None:
    response = await public.post("/v1/reports", json=a_report(**change))

    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert field in [e["field"] for e in response.json()["errors"]]


async def test_point_outside_the_tenant_is_refused_with_the_reason(public: httpx.AsyncClient) -> None:
    response = await public.post("/v1/reports", json=a_report(location={"lon": 120.16, "lat": 30.27}))

    assert response.status_code == 422
    problem = response.json()
    assert problem["type"].endswith("/outside-tenant")
    assert "outside tenant 330106004" in problem["detail"] and "km from its boundary" in problem["detail"]


async def test_point_on_the_tenant_boundary_is_accepted_in_the_smaller_coded_district(
    service: Service, public: httpx.AsyncClient,
) -> None:
    # (120.125, 30.275) lies on the straight south edge, where districts D02 and D03 meet.
    response = await public.post("/v1/reports", json=a_report(location={"lon": 120.125, "lat": 30.275}))

    assert response.status_code == 201, response.text
    assert response.json()["district"] == "D02"


async def test_malformed_json_is_a_problem_not_a_crash(public: httpx.AsyncClient) -> None:
    response = await public.post("/v1/reports", content=b"{oops", headers={"content-type": "application/json"})

    assert response.status_code == 422
    assert response.json()["type"].endswith("/validation-error")


async def test_unknown_report_is_a_404_problem(public: httpx.AsyncClient) -> None:
    response = await public.get(f"/v1/reports/{uuid.uuid4()}")

    assert response.status_code == 404
    assert response.json()["type"].endswith("/not-found")


async def test_gcj02_location_is_stored_as_wgs84_and_placed_by_it(
    service: Service, public: httpx.AsyncClient,
) -> None:
    body = (await public.post("/v1/reports", json=a_report(
        location={"lon": 120.1297, "lat": 30.2873, "crs": "gcj02"}, category="noise"))).json()

    incident = (await public.get(f"/v1/incidents/{body['incident_id']}", headers=service.token("commander"))).json()

    assert incident["location"]["crs"] == "wgs84"
    assert 0.003 < 120.1297 - incident["location"]["lon"] < 0.006  # GCJ-02 lies ~400 m east here
    assert incident["district"] == body["district"] and incident["grid"] == body["grid"]


async def test_citizen_without_a_category_goes_to_triage_and_emits_nothing(
    service: Service, public: httpx.AsyncClient,
) -> None:
    response = await public.post("/v1/reports", json=a_report(service.spots.next(), category=None,
                                                               description="楼下有人摆摊卖水果"))

    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "triage" and body["incident_id"] is None
    queue = (await public.get("/v1/triage", headers=service.token("commander"))).json()
    waiting = next(item for item in queue if item["report_id"] == body["report_id"])
    assert waiting["suggestions"][0]["category"] == "street_vending"


async def test_grid_worker_must_give_a_category(service: Service, public: httpx.AsyncClient) -> None:
    response = await public.post("/v1/reports", json=a_report(category=None, source="grid_worker"),
                                 headers=service.token("grid_worker"))

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "category"


@pytest.mark.parametrize(("roles", "source"), [((), "patrol"), (("citizen",), "grid_worker"),
                                                (("grid_worker",), "ai_camera")])
async def test_callers_may_only_file_as_their_own_kind_of_source(
    service: Service, public: httpx.AsyncClient, roles: tuple[str, ...], source: str,
) -> None:
    headers = service.token(*roles) if roles else {}

    response = await public.post("/v1/reports", json=a_report(source=source), headers=headers)

    assert response.status_code == 403
    assert response.json()["type"].endswith("/forbidden")


async def test_staff_of_another_tenant_may_not_file_here(service: Service, public: httpx.AsyncClient) -> None:
    response = await public.post("/v1/reports", json=a_report(source="grid_worker"),
                                 headers=service.token("grid_worker", tenant="330106005"))

    assert response.status_code == 403


async def test_a_bad_bearer_token_is_refused_even_where_anonymous_is_allowed(public: httpx.AsyncClient) -> None:
    response = await public.post("/v1/reports", json=a_report(), headers={"Authorization": "Bearer nonsense"})

    assert response.status_code == 401


async def test_photo_is_uploaded_once_and_referenced_by_the_report(
    service: Service, public: httpx.AsyncClient,
) -> None:
    upload = await public.post("/v1/photos", files={"file": ("scene.png", PHOTO_PNG, "image/png")})
    again = await public.post("/v1/photos", files={"file": ("retry.png", PHOTO_PNG, "image/png")})
    assert upload.status_code == again.status_code == 201
    photo_id = upload.json()["photo_id"]
    assert again.json()["photo_id"] == photo_id

    report = await public.post("/v1/reports", json=a_report(service.spots.next(), photo_ids=[photo_id]))
    assert report.status_code == 201

    staff_view = await public.get(f"/v1/photos/{photo_id}", headers=service.token("officer"))
    assert staff_view.status_code == 200 and staff_view.content == PHOTO_PNG
    assert (await public.get(f"/v1/photos/{photo_id}")).status_code == 401
    assert (await public.get(f"/v1/photos/{photo_id}", headers=service.token("grid_worker"))).status_code == 403


async def test_photo_of_the_wrong_type_or_too_big_is_refused(service: Service, public: httpx.AsyncClient) -> None:
    script = await public.post("/v1/photos", files={"file": ("x.png", b"<script>alert(1)</script>", "image/png")})
    huge = await public.post("/v1/photos", files={
        "file": ("big.jpg", b"\xff\xd8\xff" + b"\x00" * service.settings.photo_max_bytes, "image/jpeg")})

    assert script.status_code == 415 and script.json()["field"] == "file"
    assert huge.status_code == 413 and huge.json()["type"].endswith("/too-large")


async def test_incidents_are_for_staff_only(service: Service, public: httpx.AsyncClient) -> None:
    body = (await public.post("/v1/reports", json=a_report(service.spots.next()))).json()
    path = f"/v1/incidents/{body['incident_id']}"

    assert (await public.get(path)).status_code == 401
    assert (await public.get(path, headers=service.token("citizen"))).status_code == 403
    assert (await public.get(path, headers=service.token("officer", tenant="330106005"))).status_code == 403
    assert (await public.get(path, headers=service.token("grid_worker"))).status_code == 200
    listing = await public.get("/v1/incidents", headers=service.token("commander"))
    assert body["incident_id"] in [i["id"] for i in listing.json()]


async def test_public_submission_is_rate_limited_per_client(service: Service) -> None:
    phone = service.from_address("10.99.99.99")
    other = service.from_address("10.99.99.98")
    bad = a_report(description="")  # refused after the limit is checked: no incidents pile up

    answers = [await phone.post("/v1/reports", json=bad) for _ in range(service.settings.public_burst + 1)]

    assert [a.status_code for a in answers[:-1]] == [422] * service.settings.public_burst
    limited = answers[-1]
    assert limited.status_code == 429 and limited.json()["type"].endswith("/rate-limited")
    assert limited.json()["retry_after_s"] >= 1
    assert (await other.post("/v1/reports", json=bad)).status_code == 422, "another client is not limited"
    staff = await phone.post("/v1/reports", json=bad, headers=service.token("grid_worker"))
    assert staff.status_code == 422, "staff are not limited"


async def test_a_report_with_a_known_category_from_tenant_staff_is_published(
    service: Service, intake: httpx.AsyncClient,
) -> None:
    response = await intake.post("/v1/reports", json=a_report(service.spots.next(), source="patrol",
                                                              category="dumped_waste", contact=None),
                                 headers=service.token("officer", tenant=TENANT))

    assert response.status_code == 201
    events = await service.watcher.about(response.json()["incident_id"])
    assert events[0]["data"]["source"] == "patrol" and events[0]["data"]["category"] == "dumped_waste"


async def test_behind_a_trusted_proxy_the_forwarded_client_is_limited(service: Service) -> None:
    service.settings.trusted_proxies = ["10.77.0.1"]
    proxy = service.from_address("10.77.0.1")
    bad = a_report(description="")
    try:
        for _ in range(service.settings.public_burst):
            await proxy.post("/v1/reports", json=bad, headers={"X-Forwarded-For": "1.2.3.4, 10.77.0.1"})

        limited = await proxy.post("/v1/reports", json=bad, headers={"X-Forwarded-For": "1.2.3.4"})
        other = await proxy.post("/v1/reports", json=bad, headers={"X-Forwarded-For": "5.6.7.8"})
        spoofed = await proxy.post("/v1/reports", json=bad, headers={"X-Forwarded-For": "5.6.7.9, 1.2.3.4"})
    finally:
        service.settings.trusted_proxies = []

    assert limited.status_code == 429
    assert other.status_code == 422, "each forwarded client has its own bucket"
    assert spoofed.status_code == 429, "a client cannot escape by prepending addresses"
