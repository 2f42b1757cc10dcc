"""Reopening a closed incident, and the free-text rule on the topics other platforms read."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import httpx
import pytest

from oneteam_contracts import GeoPoint, IncidentClosed

from .conftest import Service
from .helpers import a_report

pytestmark = pytest.mark.integration
PERSONAL = "张三说：车牌浙A12345"


async def closed_report(service: Service, client: httpx.AsyncClient, spot: GeoPoint | None = None,
                        **changes: Any) -> dict[str, Any]:
    created = await client.post("/v1/reports", json=a_report(spot or service.spots.next(), **changes))
    assert created.status_code == 201, created.text
    receipt: dict[str, Any] = created.json()
    closed = await client.post(f"/v1/incidents/{receipt['incident_id']}/close", headers=service.token("commander"),
                               json={"resolution": "resolved_on_site", "note": f"已处理，{PERSONAL}"})
    assert closed.status_code == 200, closed.text
    return receipt


async def test_dissatisfied_reporter_reopens_once_and_the_incident_is_open_again(
    service: Service, public: httpx.AsyncClient,
) -> None:
    receipt = await closed_report(service, public)
    token = {"X-Report-Token": receipt["status_token"]}
    rated = await public.post(f"/v1/reports/{receipt['report_id']}/feedback", headers=token,
                              json={"rating": "dissatisfied", "comment": "摊贩第二天又来了"})
    assert rated.status_code == 201 and rated.json()["can_reopen"] is True

    key = {**token, "Idempotency-Key": "reopen-1"}
    first = await public.post(rated.json()["reopen_url"], headers=key, json={"reason": "dissatisfied"})
    again = await public.post(rated.json()["reopen_url"], headers=key, json={"reason": "dissatisfied"})

    assert first.status_code == 201, first.text
    assert first.json()["status"] == "reported" and first.json()["reopen_count"] == 1
    assert again.status_code == 201 and again.json() == first.json()
    status = (await public.get(f"/v1/reports/{receipt['report_id']}", headers=token)).json()
    assert status["status"] == "reported"
    open311 = (await public.get(f"/open311/v2/requests/{receipt['report_id']}.json")).json()
    assert open311[0]["status"] == "open"
    incident = (await public.get(f"/v1/incidents/{receipt['incident_id']}", headers=service.token("commander")))
    assert incident.json()["reopen_count"] == 1
    events = await service.watcher.wait_for(
        lambda e: e["type"] == "incident.reopened" and e["subject"] == receipt["incident_id"], count=2, timeout=3)
    assert len(events) == 1, "the retried request reopened nothing more"
    assert events[0]["data"]["reason"] == "dissatisfied" and events[0]["data"]["grid"] == receipt["grid"]


async def test_reopening_outside_the_window_is_refused_naming_it(service: Service, public: httpx.AsyncClient) -> None:
    receipt = await closed_report(service, public)
    service.clock.advance(timedelta(days=7, minutes=1))
    try:
        late = await public.post(f"/v1/reports/{receipt['report_id']}/reopen", json={"reason": "still_present"},
                                 headers={"X-Report-Token": receipt["status_token"]})
    finally:
        service.clock.advance(-timedelta(days=7, minutes=1))

    assert late.status_code == 409 and "7 days" in late.json()["detail"]


async def test_commanders_reopen_and_others_may_not(service: Service, public: httpx.AsyncClient) -> None:
    receipt = await closed_report(service, public)
    path = f"/v1/incidents/{receipt['incident_id']}/reopen"

    assert (await public.post(path, json={})).status_code == 401
    assert (await public.post(path, json={}, headers=service.token("officer"))).status_code == 403
    other = service.token("commander", tenant="330106005")
    assert (await public.post(path, json={}, headers=other)).status_code == 403
    reporter = f"/v1/reports/{receipt['report_id']}/reopen"
    assert (await public.post(reporter, json={"reason": "still_present"})).status_code == 401
    done = await public.post(path, json={"comment": "复查发现仍存在"}, headers=service.token("commander"))
    assert done.status_code == 201 and done.json()["reason"] == "commander"
    twice = await public.post(path, json={}, headers=service.token("commander"))
    assert twice.status_code == 409 and "not closed" in twice.json()["detail"]


async def test_a_report_after_the_reopening_joins_the_reopened_incident(
    service: Service, public: httpx.AsyncClient,
) -> None:
    spot = service.spots.next()
    receipt = await closed_report(service, public, spot)
    service.clock.advance(timedelta(hours=3))  # past street vending's 2-hour merge window
    try:
        reopened = await public.post(f"/v1/incidents/{receipt['incident_id']}/reopen", json={},
                                     headers=service.token("commander"))
        again = await public.post("/v1/reports", json=a_report(spot, description="又来了"))
    finally:
        service.clock.advance(-timedelta(hours=3))

    assert reopened.status_code == 201
    assert again.json()["incident_id"] == receipt["incident_id"] and again.json()["merged"] is True


async def test_the_closure_heard_back_after_a_reopening_does_not_close_it_again(
    service: Service, public: httpx.AsyncClient,
) -> None:
    receipt = await closed_report(service, public)
    closed_at = datetime.now(UTC)
    commander = service.token("commander")
    path = f"/v1/incidents/{receipt['incident_id']}/reopen"
    assert (await public.post(path, json={}, headers=commander)).status_code == 201

    # The earlier round's closure arriving late, as intake hears its own event back.
    await service.publish(IncidentClosed(incident_id=UUID(receipt["incident_id"]), resolution="resolved_on_site",
                                         closed_at=closed_at), subject=receipt["incident_id"])
    await asyncio.sleep(1.5)

    incident = (await public.get(f"/v1/incidents/{receipt['incident_id']}", headers=commander)).json()
    assert incident["status"] == "reported" and incident["reopen_count"] == 1
    history = (await public.get(f"{path}s", headers=service.token("officer"))).json()
    assert [(h["number"], h["reason"], h["resolution"]) for h in history] == [(1, "commander", "resolved_on_site")]


async def test_no_free_text_reaches_the_incident_or_feedback_topics(
    service: Service, public: httpx.AsyncClient,
) -> None:
    receipt = await closed_report(service, public, description=PERSONAL)
    token = {"X-Report-Token": receipt["status_token"]}
    await public.post(f"/v1/reports/{receipt['report_id']}/feedback", headers=token,
                      json={"rating": "satisfied", "comment": PERSONAL})

    events = {e["type"]: e["data"] for e in await service.watcher.about(receipt["incident_id"], count=3)}

    assert set(events) == {"incident.reported", "incident.closed", "feedback.received"}
    assert "浙A12345" not in json.dumps(events, ensure_ascii=False)
    flags = [events["incident.reported"]["has_description"], events["incident.closed"]["has_note"],
             events["feedback.received"]["has_comment"]]
    assert flags == [True, True, True]
    mine = (await public.get(f"/v1/reports/{receipt['report_id']}", headers=token)).json()
    assert mine["description"] == PERSONAL, "the reporter still reads what they wrote"
    staff = (await public.get(f"/v1/incidents/{receipt['incident_id']}", headers=service.token("commander"))).json()
    assert PERSONAL in staff["close_note"], "the closing note stays readable behind the staff API"
