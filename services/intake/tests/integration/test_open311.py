"""Open311 GeoReport v2: existing civic reporting apps work without change."""

from __future__ import annotations

import json
import uuid

import httpx
import pytest

from .conftest import Service

pytestmark = pytest.mark.integration


def form(service: Service, **changes: str) -> dict[str, str]:
    spot = service.spots.next()
    fields = {"service_code": "dumped_waste", "lat": str(spot.lat), "long": str(spot.lon),
              "description": "路边有人倾倒建筑垃圾", "first_name": "五", "last_name": "王",
              "phone": "13500004444", "email": "wang@example.com", "address_string": "文一路"}
    fields.update(changes)
    return fields


async def test_service_list_is_the_category_catalog(public: httpx.AsyncClient) -> None:
    services = (await public.get("/open311/v2/services.json")).json()

    codes = {s["service_code"] for s in services}
    assert {"street_vending", "dumped_waste", "e_bike_parking"} <= codes
    assert all(s["type"] == "realtime" for s in services)
    assert {s["service_code"] for s in services if s["metadata"]} == {"dumped_waste", "noise"}


async def test_form_encoded_request_is_created_and_readable(service: Service, public: httpx.AsyncClient) -> None:
    created = await public.post("/open311/v2/requests.json", data=form(service))

    assert created.status_code == 201, created.text
    request_id = created.json()[0]["service_request_id"]
    one = (await public.get(f"/open311/v2/requests/{request_id}.json")).json()
    assert one[0]["service_code"] == "dumped_waste" and one[0]["status"] == "open"
    listed = (await public.get("/open311/v2/requests.json", params={"service_request_id": request_id})).json()
    assert [r["service_request_id"] for r in listed] == [request_id]
    for personal in ("13500004444", "wang@example.com", "王"):
        assert personal not in json.dumps(one + listed, ensure_ascii=False)
    status = (await public.get(f"/v1/reports/{request_id}")).json()
    events = await service.watcher.about(status["incident_id"])
    assert events[0]["type"] == "incident.reported" and events[0]["data"]["source"] == "citizen_app"


async def test_raw_utf8_form_fields_are_read_as_utf8(service: Service, public: httpx.AsyncClient) -> None:
    spot = service.spots.next()
    raw = f"service_code=noise&lat={spot.lat}&long={spot.lon}&description=广场舞音响太吵".encode()

    created = await public.post("/open311/v2/requests", content=raw,
                                headers={"Content-Type": "application/x-www-form-urlencoded"})

    request_id, token = created.json()[0]["service_request_id"], created.json()[0]["status_token"]
    shown = (await public.get(f"/open311/v2/requests/{request_id}", headers={"X-Report-Token": token})).json()
    assert shown[0]["description"] == "广场舞音响太吵"


async def test_closed_incident_shows_as_closed(service: Service, public: httpx.AsyncClient) -> None:
    request_id = (await public.post("/open311/v2/requests", json=form(service))).json()[0]["service_request_id"]
    incident_id = (await public.get(f"/v1/reports/{request_id}")).json()["incident_id"]
    await public.post(f"/v1/incidents/{incident_id}/close", json={"resolution": "resolved_on_site"},
                      headers=service.token("commander"))

    closed = (await public.get("/open311/v2/requests.json", params={"status": "closed"})).json()

    assert request_id in [r["service_request_id"] for r in closed]


@pytest.mark.parametrize(("change", "field"), [({"service_code": "pothole"}, "service_code"),
                                               ({"lat": "ninety"}, "lat"), ({"long": ""}, "long")])
async def test_bad_request_names_the_open311_field(
    service: Service, public: httpx.AsyncClient, change: dict[str, str], field: str,
) -> None:
    response = await public.post("/open311/v2/requests.json", data=form(service, **change))

    assert response.status_code == 400  # the standard's status for a missing or invalid parameter
    assert field in response.json()[0]["description"]


async def test_retry_with_an_idempotency_key_creates_one_request(service: Service, public: httpx.AsyncClient) -> None:
    fields, key = form(service), {"Idempotency-Key": str(uuid.uuid4())}

    first = await public.post("/open311/v2/requests.json", data=fields, headers=key)
    again = await public.post("/open311/v2/requests.json", data=fields, headers=key)

    assert first.json() == again.json()


async def test_unknown_request_is_404(public: httpx.AsyncClient) -> None:
    assert (await public.get(f"/open311/v2/requests/{uuid.uuid4()}.json")).status_code == 404
    assert (await public.get("/open311/v2/requests/42.json")).status_code == 404
