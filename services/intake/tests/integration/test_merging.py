"""Duplicate reports of one problem join its open incident instead of opening new ones."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import httpx
import pytest

from oneteam_contracts import GeoPoint

from .conftest import Service
from .helpers import a_report

pytestmark = pytest.mark.integration


def nearby(spot: GeoPoint, metres_east: float) -> GeoPoint:
    return GeoPoint(lon=spot.lon + metres_east / 96_000, lat=spot.lat)  # ~96 km per degree of lon here


async def test_second_report_nearby_joins_the_open_incident(service: Service, public: httpx.AsyncClient) -> None:
    spot = service.spots.next()
    first = (await public.post("/v1/reports", json=a_report(spot))).json()

    second = (await public.post("/v1/reports", json=a_report(nearby(spot, 40), source="shop_app",
                                                             contact={"phone": "13700002222"}))).json()

    assert second["incident_id"] == first["incident_id"]
    assert second["merged"] is True and second["report_count"] == 2
    events = await service.watcher.about(first["incident_id"], count=2)
    assert [e["type"] for e in events] == ["incident.reported", "incident.merged"]
    merged = events[1]["data"]
    assert merged["report_id"] == second["report_id"] and merged["report_count"] == 2
    assert merged["source"] == "shop_app"
    assert "13700002222" not in str(events)


async def test_report_beyond_the_radius_opens_its_own_incident(service: Service, public: httpx.AsyncClient) -> None:
    spot = service.spots.next()
    first = (await public.post("/v1/reports", json=a_report(spot))).json()

    far = (await public.post("/v1/reports", json=a_report(nearby(spot, 150)))).json()  # radius is 80 m

    assert far["incident_id"] != first["incident_id"] and far["merged"] is False


async def test_another_category_at_the_same_place_is_another_incident(
    service: Service, public: httpx.AsyncClient,
) -> None:
    spot = service.spots.next()
    vending = (await public.post("/v1/reports", json=a_report(spot))).json()

    noise = (await public.post("/v1/reports", json=a_report(spot, category="noise"))).json()

    assert noise["incident_id"] != vending["incident_id"]


async def test_report_after_the_window_opens_a_new_incident(service: Service, public: httpx.AsyncClient) -> None:
    spot = service.spots.next()
    first = (await public.post("/v1/reports", json=a_report(spot))).json()

    service.clock.advance(timedelta(minutes=121))  # street_vending's window is 120 min
    later = (await public.post("/v1/reports", json=a_report(spot))).json()

    assert later["incident_id"] != first["incident_id"]


async def test_repeated_reports_raise_the_priority(service: Service, public: httpx.AsyncClient) -> None:
    spot = service.spots.next()
    staff = service.token("commander")
    answers = [(await public.post("/v1/reports", json=a_report(nearby(spot, 5 * n)))).json() for n in range(4)]
    incident_id = answers[0]["incident_id"]

    assert {a["incident_id"] for a in answers} == {incident_id}
    incident = (await public.get(f"/v1/incidents/{incident_id}", headers=staff)).json()
    assert incident["report_count"] == 4
    assert incident["priority"] == "high"  # normal, one step up at the 3rd report (escalate_every: 3)
    events = await service.watcher.about(incident_id, count=4)
    assert [e["data"]["priority"] for e in events[1:]] == ["normal", "high", "high"]


async def test_simultaneous_reports_of_one_problem_make_one_incident(
    service: Service, public: httpx.AsyncClient,
) -> None:
    spot = service.spots.next()
    staff = service.token("grid_worker")

    answers = await asyncio.gather(*(
        public.post("/v1/reports", json=a_report(nearby(spot, n), source="grid_worker"), headers=staff)
        for n in range(8)))

    assert {a.status_code for a in answers} == {201}
    assert len({a.json()["incident_id"] for a in answers}) == 1
    incident_id = answers[0].json()["incident_id"]
    reports = (await public.get(f"/v1/incidents/{incident_id}/reports", headers=staff)).json()
    assert len(reports) == 8


async def test_closed_incident_takes_no_more_reports(service: Service, public: httpx.AsyncClient) -> None:
    spot = service.spots.next()
    first = (await public.post("/v1/reports", json=a_report(spot))).json()
    closed = await public.post(f"/v1/incidents/{first['incident_id']}/close",
                               json={"resolution": "resolved_on_site"}, headers=service.token("commander"))
    assert closed.status_code == 200

    again = (await public.post("/v1/reports", json=a_report(spot))).json()

    assert again["incident_id"] != first["incident_id"]
