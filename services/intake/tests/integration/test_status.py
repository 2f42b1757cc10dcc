"""Telling the reporter: status by token or login, masking, dispatch's events, closure, feedback."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import httpx
import pytest

from oneteam_contracts import AssignmentCreated, GeoPoint, IncidentClosed, Priority

from .conftest import Service
from .helpers import a_report

pytestmark = pytest.mark.integration


async def submitted(service: Service, client: httpx.AsyncClient, **changes: Any) -> dict[str, Any]:
    response = await client.post("/v1/reports", json=a_report(service.spots.next(), **changes))
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def assigned_by_dispatch(service: Service, incident_id: str, where: GeoPoint) -> None:
    now = datetime.now(UTC)
    await service.publish(AssignmentCreated(
        assignment_id=uuid.uuid4(), incident_id=UUID(incident_id), officer_ids=["officer-7"], category="street_vending",
        priority=Priority.NORMAL, location=where, deadlines={"acknowledge": now + timedelta(minutes=1)},
        created_at=now), subject=incident_id)


async def status_of(client: httpx.AsyncClient, report_id: str, want: str, **kwargs: Any) -> dict[str, Any]:
    for _ in range(150):
        body: dict[str, Any] = (await client.get(f"/v1/reports/{report_id}", **kwargs)).json()
        if body["status"] == want:
            return body
        await asyncio.sleep(0.1)
    return body


async def test_reporter_reads_the_status_with_the_token_and_sees_the_assignment(
    service: Service, public: httpx.AsyncClient,
) -> None:
    receipt = await submitted(service, public)
    token = {"X-Report-Token": receipt["status_token"]}
    report = (await public.get(f"/v1/reports/{receipt['report_id']}", headers=token)).json()
    assert report["full"] is True and report["status"] == "reported"
    assert report["contact"] == {"name": "张*", "phone": "138****1111", "email": None, "masked": True}

    await assigned_by_dispatch(service, receipt["incident_id"], GeoPoint.model_validate(report["location"]))

    assert (await status_of(public, receipt["report_id"], "assigned", headers=token))["status"] == "assigned"


async def test_without_credentials_only_the_status_is_shown(service: Service, public: httpx.AsyncClient) -> None:
    receipt = await submitted(service, public)

    shown = (await public.get(f"/v1/reports/{receipt['report_id']}")).json()

    assert shown["full"] is False and shown["status"] == "reported"
    assert shown["description"] is None and shown["contact"] is None and shown["location"] is None


async def test_a_wrong_token_or_someone_elses_login_is_refused(service: Service, public: httpx.AsyncClient) -> None:
    receipt = await submitted(service, public)
    path = f"/v1/reports/{receipt['report_id']}"

    assert (await public.get(path, headers={"X-Report-Token": "guess"})).status_code == 403
    assert (await public.get(path, headers=service.token("citizen"))).status_code == 403


async def test_logged_in_citizen_reads_their_own_report(service: Service, public: httpx.AsyncClient) -> None:
    me = service.token("citizen", subject=f"citizen-{uuid.uuid4().hex[:6]}")
    receipt = (await public.post("/v1/reports", json=a_report(service.spots.next()), headers=me)).json()

    mine = await public.get(f"/v1/reports/{receipt['report_id']}", headers=me)

    assert mine.status_code == 200 and mine.json()["full"] is True


@pytest.mark.parametrize(("role", "unmasked"), [("grid_worker", False), ("officer", False), ("commander", True),
                                                ("admin", True)])
async def test_contacts_are_masked_for_roles_that_may_not_see_them(
    service: Service, public: httpx.AsyncClient, role: str, unmasked: bool,
) -> None:
    receipt = await submitted(service, public)
    staff = service.token(role)

    report = (await public.get(f"/v1/reports/{receipt['report_id']}", headers=staff)).json()
    reports = (await public.get(f"/v1/incidents/{receipt['incident_id']}/reports", headers=staff)).json()

    seen = json.dumps([report, reports], ensure_ascii=False)
    assert ("13800001111" in seen) is unmasked and ("张三" in seen) is unmasked
    assert "138****1111" in seen or unmasked


async def test_rating_after_closure_emits_feedback_without_personal_data(
    service: Service, public: httpx.AsyncClient,
) -> None:
    receipt = await submitted(service, public)
    token = {"X-Report-Token": receipt["status_token"]}
    path = f"/v1/reports/{receipt['report_id']}/feedback"
    too_early = await public.post(path, json={"rating": "satisfied"}, headers=token)
    assert too_early.status_code == 409 and "closed" in too_early.json()["detail"]

    await service.publish(IncidentClosed(incident_id=UUID(receipt["incident_id"]), resolution="resolved_on_site",
                                         closed_at=datetime.now(UTC)), subject=receipt["incident_id"])
    await status_of(public, receipt["report_id"], "closed")
    rated = await public.post(path, json={"rating": "basically_satisfied", "comment": "处理快，回电 13800001111"},
                              headers=token)

    assert rated.status_code == 201, rated.text
    events = await service.watcher.wait_for(
        lambda e: e["type"] == "feedback.received" and e["data"]["report_id"] == receipt["report_id"])
    assert events[0]["data"]["rating"] == "basically_satisfied"
    assert events[0]["data"]["incident_id"] == receipt["incident_id"]
    assert "13800001111" not in json.dumps(events)
    retry = await public.post(path, json={"rating": "basically_satisfied", "comment": "处理快，回电 13800001111"},
                              headers=token)
    assert retry.status_code == 200
    change = await public.post(path, json={"rating": "dissatisfied"}, headers=token)
    assert change.status_code == 409


async def test_only_the_reporter_may_rate(service: Service, public: httpx.AsyncClient) -> None:
    receipt = await submitted(service, public)
    path = f"/v1/reports/{receipt['report_id']}/feedback"

    assert (await public.post(path, json={"rating": "satisfied"})).status_code == 401
    commander = service.token("commander")
    assert (await public.post(path, json={"rating": "satisfied"}, headers=commander)).status_code == 403
    bad = await public.post(path, json={"rating": "great"}, headers={"X-Report-Token": receipt["status_token"]})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "rating"


async def test_triage_decision_opens_the_incident(service: Service, public: httpx.AsyncClient) -> None:
    receipt = await submitted(service, public, category=None, description="有人在路口乱扔建筑垃圾")
    commander = service.token("commander")

    decided = await public.post(f"/v1/triage/{receipt['report_id']}", json={"category": "dumped_waste"},
                                headers=commander)

    assert decided.status_code == 200
    status = (await public.get(f"/v1/reports/{receipt['report_id']}")).json()
    assert status["incident_id"] == decided.json()["incident_id"] and status["status"] == "reported"
    events = await service.watcher.about(status["incident_id"])
    assert events[0]["data"]["report_id"] == receipt["report_id"]


async def test_triage_dismissal_and_roles(service: Service, public: httpx.AsyncClient) -> None:
    receipt = await submitted(service, public, category=None, description="测试")
    path = f"/v1/triage/{receipt['report_id']}"

    assert (await public.post(path, json={"dismiss": True})).status_code == 401
    assert (await public.post(path, json={"dismiss": True}, headers=service.token("officer"))).status_code == 403
    assert (await public.post(path, json={}, headers=service.token("commander"))).status_code == 422
    dismissed = await public.post(path, json={"dismiss": True}, headers=service.token("commander"))
    assert dismissed.json()["status"] == "dismissed"
    assert (await public.get("/v1/triage", headers=service.token("grid_worker"))).status_code == 403


async def test_closing_is_for_the_command_centre(service: Service, public: httpx.AsyncClient) -> None:
    receipt = await submitted(service, public)
    path = f"/v1/incidents/{receipt['incident_id']}/close"

    officer = service.token("officer")
    assert (await public.post(path, json={"resolution": "duplicate"}, headers=officer)).status_code == 403
    closed = await public.post(path, json={"resolution": "duplicate", "note": "与另一事件重复"},
                               headers=service.token("commander"))
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    events = await service.watcher.about(receipt["incident_id"], count=2)
    assert events[1]["type"] == "incident.closed" and events[1]["data"]["resolution"] == "duplicate"
