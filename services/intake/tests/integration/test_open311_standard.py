"""Open311 GeoReport v2 as a client written against the standard sees it: XML read with the
standard library's parser and compared with the specification's examples, JSON alike, a
multipart photo upload through httpx, tokens, discovery and the standard's error list."""

from __future__ import annotations

import json
import uuid
import xml.etree.ElementTree as ET
from typing import Any

import httpx
import pytest

from . import open311_examples as spec
from .conftest import Service
from .helpers import PHOTO_PNG, TENANT

pytestmark = pytest.mark.integration
BASE = "/open311/v2"


def shape(element: ET.Element) -> dict[str, Any]:
    """Element names and nesting, ignoring values and repeated items."""
    found: dict[str, Any] = {}
    for child in element:
        found.setdefault(child.tag, shape(child))
    return found


def assert_like_the_spec(example: str, response: httpx.Response) -> ET.Element:
    """`response` parses as XML with every element of the spec's example, in the same places."""
    assert response.headers["content-type"].startswith("text/xml"), response.text
    ours, theirs = ET.fromstring(response.content), ET.fromstring(example.encode())
    assert ours.tag == theirs.tag

    def covers(mine: dict[str, Any], wanted: dict[str, Any], path: str) -> None:
        for tag, inner in wanted.items():
            assert tag in mine, f"<{path}/{tag}> missing from {response.text[:300]}"
            covers(mine[tag], inner, f"{path}/{tag}")

    covers(shape(ours), shape(theirs), ours.tag)
    return ours


def form(service: Service, **changes: str) -> dict[str, str]:
    spot = service.spots.next()
    fields = {"service_code": "dumped_waste", "lat": str(spot.lat), "long": str(spot.lon),
              "description": "张三说：楼下堆了旧沙发", "phone": "13500004444", "attribute[waste_type]": "furniture"}
    return fields | changes


async def test_discovery_services_and_definitions_read_like_the_spec(public: httpx.AsyncClient) -> None:
    discovery = assert_like_the_spec(spec.DISCOVERY, await public.get(f"{BASE}/discovery.xml"))
    services = assert_like_the_spec(spec.SERVICES, await public.get(f"{BASE}/services.xml"))
    definition = assert_like_the_spec(spec.SERVICE_DEFINITION, await public.get(f"{BASE}/services/noise.xml"))

    assert {f.text for f in discovery.iter("format")} == {"text/xml", "application/json"}
    by_code = {s.findtext("service_code"): s.findtext("metadata") for s in services}
    assert by_code["noise"] == "true" and by_code["street_vending"] == "false"
    assert [v.findtext("key") for v in definition.iter("value")] == ["day", "night"]
    as_json = (await public.get(f"{BASE}/services/noise.json")).json()
    assert as_json["attributes"][0]["code"] == "time_of_day" and as_json["attributes"][0]["order"] == 1


async def test_multipart_media_is_stored_and_read_back_by_the_reporter_only(
    service: Service, public: httpx.AsyncClient,
) -> None:
    fields = form(service)
    created = await public.post(f"{BASE}/requests.xml", data=fields,
                                files={"media": ("sofa.png", PHOTO_PNG, "image/png")})

    assert created.status_code == 201, created.text
    request = assert_like_the_spec(spec.CREATED, created).find("request")
    assert request is not None
    request_id, token = request.findtext("service_request_id"), request.findtext("status_token")
    anyone = assert_like_the_spec(spec.REQUESTS, await public.get(f"{BASE}/requests/{request_id}.xml"))
    shown = anyone.find("request")
    assert shown is not None and shown.findtext("media_url") == "" and shown.findtext("description") == ""
    assert shown.findtext("lat") != fields["lat"], "the public sees the grid, not the doorstep"
    assert "13500004444" not in (await public.get(f"{BASE}/requests/{request_id}.json")).text
    mine = (await public.get(f"{BASE}/requests/{request_id}.json", headers={"X-Report-Token": str(token)})).json()
    assert mine[0]["description"] == fields["description"] and mine[0]["lat"] == float(fields["lat"])
    photo = await public.get(mine[0]["media_url"].removeprefix("http://service"))
    assert photo.status_code == 200 and photo.content == PHOTO_PNG
    assert (await public.get(f"{BASE}/media/{request_id}/{photo_id_of(mine)}")).status_code == 404


def photo_id_of(view: list[dict[str, Any]]) -> str:
    return str(view[0]["media_url"].split("/")[-1].split("?")[0])


async def test_jurisdiction_is_the_tenant_on_get_and_post_alike(service: Service, public: httpx.AsyncClient) -> None:
    created = await public.post(f"{BASE}/requests.json", data=form(service, jurisdiction_id=TENANT))
    request_id = created.json()[0]["service_request_id"]

    same = await public.get(f"{BASE}/requests/{request_id}.json", params={"jurisdiction_id": TENANT})
    other = await public.get(f"{BASE}/requests/{request_id}.json", params={"jurisdiction_id": "330106999"})
    refused = await public.post(f"{BASE}/requests.json", data=form(service, jurisdiction_id="330106999"))

    assert created.status_code == 201 and same.status_code == 200
    assert other.status_code == 404 and refused.status_code == 404
    assert "330106999" in refused.json()[0]["description"]
    assert (await public.get(f"{BASE}/services.json", params={"jurisdiction_id": "330106999"})).status_code == 404


async def test_errors_use_the_standards_list_and_status_codes(service: Service, public: httpx.AsyncClient) -> None:
    missing = await public.get(f"{BASE}/requests/{uuid.uuid4()}.xml")
    bad = await public.post(f"{BASE}/requests.xml", data=form(service, lat="ninety"))
    answer = await public.post(f"{BASE}/requests.json", data=form(service, **{"attribute[waste_type]": "gold"}))
    unknown = await public.get(f"{BASE}/services/pothole.json")

    error = assert_like_the_spec(spec.ERRORS, missing).find("error")
    assert missing.status_code == 404 and error is not None and error.findtext("code") == "404"
    assert bad.status_code == 400 and "lat" in str(ET.fromstring(bad.content).findtext("error/description"))
    assert answer.status_code == 400 and "attribute[waste_type]" in answer.json()[0]["description"]
    assert unknown.status_code == 404 and unknown.json()[0]["code"] == 404


async def test_tokens_resolve_to_the_request(service: Service, public: httpx.AsyncClient) -> None:
    created = (await public.post(f"{BASE}/requests.json", data=form(service))).json()[0]

    found = assert_like_the_spec(spec.TOKEN, await public.get(f"{BASE}/tokens/{created['token']}.xml"))

    assert found.findtext("request/service_request_id") == created["service_request_id"]


async def test_search_filters_by_ids_codes_status_and_dates(service: Service, public: httpx.AsyncClient) -> None:
    waste = (await public.post(f"{BASE}/requests.json", data=form(service))).json()[0]["service_request_id"]
    fields = {k: v for k, v in form(service, service_code="noise").items() if not k.startswith("attribute")}
    noise = (await public.post(f"{BASE}/requests.json", data=fields | {"attribute[time_of_day]": "night"})
             ).json()[0]["service_request_id"]

    def ids(response: httpx.Response) -> list[str]:
        return [r["service_request_id"] for r in response.json()]

    both = await public.get(f"{BASE}/requests.json", params={"service_request_id": f"{waste},{noise}",
                                                            "service_code": "fire_hazard"})
    only_noise = await public.get(f"{BASE}/requests.json", params={"service_code": "noise,food_safety"})
    open_ones = await public.get(f"{BASE}/requests.json", params={"status": "open", "service_code": "dumped_waste"})
    too_long = await public.get(f"{BASE}/requests.json", params={"start_date": "2026-01-01T00:00:00Z",
                                                                "end_date": "2026-06-01T00:00:00Z"})
    long_ago = await public.get(f"{BASE}/requests.json", params={"end_date": "2020-01-01T00:00:00Z"})

    assert set(ids(both)) == {waste, noise}, "a list of ids overrides the other filters"
    assert noise in ids(only_noise) and waste not in ids(only_noise)
    assert waste in ids(open_ones)
    assert too_long.status_code == 400 and "90 days" in json.dumps(too_long.json())
    assert ids(long_ago) == []
