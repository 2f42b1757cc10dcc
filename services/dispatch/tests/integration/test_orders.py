"""From incident to outcome over HTTP and Kafka: the order, the push channel, every step and its refusals."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from typing import Any

import httpx
import pytest

from oneteam_devstack.testing import Infra

from .conftest import (
    ADMIN,
    COMMANDER,
    Area,
    add_officer,
    as_officer,
    assignment_of,
    event_data,
    move,
    read_events,
    report_incident,
    token,
)

pytestmark = pytest.mark.integration


async def test_incident_is_ordered_to_the_nearest_officer_with_its_basis_on_the_event(
    dispatch: httpx.AsyncClient, producer: Any, infra: Infra, area: Area, ids: Any,
) -> None:
    await add_officer(dispatch, ids("near"), area.at(150))
    await add_officer(dispatch, ids("far"), area.at(500))

    incident_id = await report_incident(producer, area.at())
    order = await assignment_of(dispatch, incident_id)

    assert order["officer_ids"] == [ids("near")] and order["runner_up_officer_id"] == ids("far")
    assert 0 < order["eta_s"] < order["runner_up_eta_s"]
    records = await read_events(infra, "oneteam.assignments", 1,
                               lambda r: r.key == incident_id.encode())
    created = event_data(records[0])
    assert created["type"] == "assignment.created"
    assert created["data"]["runner_up_officer_id"] == ids("far") and created["data"]["basis"] == "matched"
    assert created["data"]["reason"] is None and "runner-up" in order["reason"], "the words stay behind the API"


async def test_the_order_reaches_the_officers_push_channel_within_a_second(
    dispatch: httpx.AsyncClient, producer: Any, area: Area, ids: Any,
) -> None:
    officer = ids("pushed")
    await add_officer(dispatch, officer, area.at(100))
    received: list[tuple[float, dict[str, Any]]] = []

    async def listen() -> None:
        async with dispatch.stream("GET", "/v1/me/stream", headers=as_officer(officer)) as stream:
            event = None
            async for line in stream.aiter_lines():
                if line.startswith("event: "):
                    event = line[7:]
                elif line.startswith("data: ") and event == "order":
                    received.append((time.perf_counter(), json.loads(line[6:])))
                    return

    listener = asyncio.create_task(listen())
    await asyncio.sleep(0.5)  # connected and subscribed
    sent = time.perf_counter()
    incident_id = await report_incident(producer, area.at())
    await asyncio.wait_for(listener, 15)

    arrived_at, order = received[0]
    assert order["incident_id"] == incident_id and order["officer_ids"] == [officer]
    # The consumer group is already joined by the earlier test of this module.
    assert arrived_at - sent < 1.0


async def test_acknowledge_arrive_report_with_refusals_and_safe_retries(
    dispatch: httpx.AsyncClient, producer: Any, infra: Infra, area: Area, ids: Any,
) -> None:
    mine, other = ids("mine"), ids("other")
    await add_officer(dispatch, mine, area.at(100))
    await add_officer(dispatch, other, area.at(5000), fix=False)
    incident_id = await report_incident(producer, area.at())
    order = await assignment_of(dispatch, incident_id)
    url = f"/v1/assignments/{order['id']}"

    refused = await dispatch.post(f"{url}/acknowledge", headers=as_officer(other))
    assert refused.status_code in (403, 404) and refused.headers["content-type"] == "application/problem+json"
    assert (await dispatch.get(url, headers=as_officer(other))).status_code == 404

    key = {"Idempotency-Key": str(uuid.uuid4())}
    first = await dispatch.post(f"{url}/acknowledge", headers={**as_officer(mine), **key})
    again = await dispatch.post(f"{url}/acknowledge", headers={**as_officer(mine), **key})
    assert first.status_code == again.status_code == 200 and first.json() == again.json()
    assert first.json()["status"] == "acknowledged"

    far = await dispatch.post(f"{url}/arrive", headers=as_officer(mine))  # latest fix is 100 m... then moved away
    assert far.status_code == 200  # 100 m is within the 200 m radius
    assert far.json()["members"][0]["arrival_distance_m"] == pytest.approx(100, abs=10)

    report = {"outcome": "needs_case", "notes": "摊主拒不整改", "photo_ids": ["ev-1"]}
    done = await dispatch.post(f"{url}/report", json=report, headers={**as_officer(mine), **key | {
        "Idempotency-Key": "report-" + key["Idempotency-Key"]}})
    repeat = await dispatch.post(f"{url}/report", json=report, headers=as_officer(mine))
    changed = await dispatch.post(f"{url}/report", json={"outcome": "false_report"}, headers=as_officer(mine))
    assert done.status_code == repeat.status_code == 200 and done.json()["outcome"] == "needs_case"
    assert changed.status_code == 409

    handoff = await read_events(infra, "oneteam.handoffs", 1,
                               lambda r: json.loads(r.value)["data"].get("incident_id") == incident_id)
    assert event_data(handoff[0])["type"] == "case.requested"
    assert event_data(handoff[0])["data"]["legal_basis"]
    officer = (await dispatch.get(f"/v1/officers/{mine}", headers=as_officer(mine))).json()
    assert officer["status"] == "available"


async def test_arriving_far_from_the_incident_needs_a_stated_reason(
    dispatch: httpx.AsyncClient, producer: Any, area: Area, ids: Any,
) -> None:
    officer = ids("walker")
    await add_officer(dispatch, officer, area.at(150))
    order = await assignment_of(dispatch, await report_incident(producer, area.at()))
    url = f"/v1/assignments/{order['id']}"
    await dispatch.post(f"{url}/acknowledge", headers=as_officer(officer))
    await move(dispatch, officer, area.at(800))

    refused = await dispatch.post(f"{url}/arrive", headers=as_officer(officer))
    accepted = await dispatch.post(f"{url}/arrive", json={"reason": "GPS jumps under the flyover"},
                                   headers=as_officer(officer))

    assert refused.status_code == 422 and refused.json()["field"] == "reason"
    assert refused.json()["distance_m"] == pytest.approx(800, abs=30)
    assert accepted.status_code == 200 and accepted.json()["members"][0]["arrival_note"]


async def test_resolved_on_site_closes_the_incident(
    dispatch: httpx.AsyncClient, producer: Any, infra: Infra, area: Area, ids: Any,
) -> None:
    officer = ids("fixer")
    await add_officer(dispatch, officer, area.at(50))
    incident_id = await report_incident(producer, area.at())
    order = await assignment_of(dispatch, incident_id)
    url = f"/v1/assignments/{order['id']}"
    for step in ("acknowledge", "arrive"):
        assert (await dispatch.post(f"{url}/{step}", headers=as_officer(officer))).status_code == 200

    await dispatch.post(f"{url}/report", json={"outcome": "resolved_on_site"}, headers=as_officer(officer))

    closed = await read_events(infra, "oneteam.incidents", 1,
                              lambda r: r.key == incident_id.encode() and b"incident.closed" in r.value)
    assert event_data(closed[0])["data"]["resolution"] == "resolved_on_site"


async def test_officers_see_only_their_own_orders_and_tenants_are_apart(
    dispatch: httpx.AsyncClient, producer: Any, area: Area, ids: Any,
) -> None:
    first, second = ids("first"), ids("second")
    await add_officer(dispatch, first, area.at(50))
    await add_officer(dispatch, second, area.at(-50, 30))
    one = await assignment_of(dispatch, await report_incident(producer, area.at(60)))
    two = await assignment_of(dispatch, await report_incident(producer, area.at(-60, 30)))

    mine = (await dispatch.get("/v1/assignments", headers=as_officer(first))).json()
    pending = (await dispatch.get("/v1/me/assignments", headers=as_officer(first))).json()
    stranger = token(["commander"], tenant="330106005")  # type: ignore[list-item]

    assert {a["id"] for a in mine} == {one["id"]} and [a["id"] for a in pending] == [one["id"]]
    assert two["officer_ids"] == [second]
    assert (await dispatch.get(f"/v1/assignments/{one['id']}", headers=stranger)).status_code == 404
    assert (await dispatch.get("/v1/board", params={"tenant": "330106004"}, headers=stranger)).status_code == 403
    assert (await dispatch.get("/v1/assignments")).status_code == 401


async def test_commander_overrides_with_a_reason(
    dispatch: httpx.AsyncClient, producer: Any, infra: Infra, area: Area, ids: Any,
) -> None:
    chosen, preferred = ids("chosen"), ids("preferred")
    await add_officer(dispatch, chosen, area.at(50))
    await add_officer(dispatch, preferred, area.at(900))
    incident_id = await report_incident(producer, area.at())
    order = await assignment_of(dispatch, incident_id)

    moved = await dispatch.post(f"/v1/assignments/{order['id']}/reassign", headers=COMMANDER,
                                json={"officer_ids": [preferred], "reason": "knows the shop owner"})
    no_reason = await dispatch.post(f"/v1/assignments/{order['id']}/reassign", headers=COMMANDER,
                                    json={"officer_ids": [chosen]})
    by_officer = await dispatch.post(f"/v1/assignments/{order['id']}/reassign", headers=as_officer(chosen),
                                     json={"officer_ids": [chosen], "reason": "mine"})

    assert moved.status_code == 200 and moved.json()["officer_ids"] == [preferred]
    assert "knows the shop owner" in moved.json()["reason"]
    assert no_reason.status_code == 422 and "reason" in [e["field"] for e in no_reason.json()["errors"]]
    assert by_officer.status_code == 403
    events = await read_events(infra, "oneteam.assignments", 2,
                              lambda r: r.key == incident_id.encode())
    assert [event_data(r)["type"] for r in events] == ["assignment.created", "assignment.reassigned"]
    assert (await dispatch.get(f"/v1/officers/{chosen}", headers=ADMIN)).json()["status"] == "available"


async def test_an_unlisted_category_goes_to_the_queue_and_is_assigned_by_hand(
    dispatch: httpx.AsyncClient, producer: Any, area: Area, ids: Any,
) -> None:
    officer = ids("manual")
    await add_officer(dispatch, officer, area.at(50))
    incident_id = await report_incident(producer, area.at(), category="alien_landing")

    for _ in range(100):
        queue = (await dispatch.get("/v1/queue", headers=COMMANDER)).json()
        if any(row["incident_id"] == incident_id for row in queue):
            break
        await asyncio.sleep(0.1)
    row = next(row for row in queue if row["incident_id"] == incident_id)
    assert "no entry for 'alien_landing'" in row["reason"]
    board = (await dispatch.get("/v1/board", headers=COMMANDER)).json()
    assert any(alert.get("incident_id") == incident_id for alert in board["alerts"])

    made = await dispatch.post(f"/v1/incidents/{incident_id}/assign", headers=COMMANDER,
                               json={"officer_ids": [officer], "reason": "known to the grid worker"})

    assert made.status_code == 201, made.text
    assert made.json()["officer_ids"] == [officer]
    assert all(row["incident_id"] != incident_id for row in (await dispatch.get("/v1/queue", headers=COMMANDER)).json())


async def test_joint_fire_hazard_gets_one_officer_per_department(
    dispatch: httpx.AsyncClient, producer: Any, area: Area, ids: Any,
) -> None:
    await add_officer(dispatch, ids("ce"), area.at(80))
    await add_officer(dispatch, ids("em"), area.at(-80), department="emergency_management", skills=[])

    order = await assignment_of(dispatch, await report_incident(producer, area.at(), category="fire_hazard"))

    assert order["officer_ids"] == [ids("ce"), ids("em")]
    assert [m["department"] for m in order["members"]] == ["comprehensive_enforcement", "emergency_management"]
