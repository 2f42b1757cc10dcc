"""A case by hand through the general procedure over HTTP, its trail, roles and tenant isolation."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from oneteam_case_penalty.verify import check
from oneteam_devstack.testing import Infra, serve

from .conftest import (
    AUDITOR,
    HEAD,
    OTHER_TENANT,
    REVIEWER,
    build_app,
    case_events,
    case_settings,
    officer,
    runtime_of,
)

pytestmark = pytest.mark.integration
ID = "11010519491231002X"  # a valid citizen ID (GB 11643 checksum X)


@pytest.fixture(scope="module")
async def client(infra: Infra) -> AsyncIterator[httpx.AsyncClient]:
    app = build_app(case_settings(infra, consume_handoffs=False, background=False))
    async with serve(app) as c:
        c.app = app  # type: ignore[attr-defined]
        yield c


async def post(client: httpx.AsyncClient, path: str, body: dict[str, Any], headers: dict[str, str],
               status: int = 200, key: str | None = None) -> dict[str, Any]:
    response = await client.post(path, json=body, headers={**headers, "Idempotency-Key": key or uuid.uuid4().hex})
    assert response.status_code == status, response.text
    return dict(response.json())


async def test_a_case_opened_by_hand_runs_to_a_decision_with_the_recommendation_shown(
        client: httpx.AsyncClient, infra: Infra) -> None:
    me = officer("o-flow")
    opened = await post(client, "/v1/cases", {"category": "street_vending", "facts": ["repeated"],
                                              "party": {"kind": "person", "identifier": ID}}, me, 201)
    case_id = opened["case"]["id"]
    assert opened["case"]["party_identified"] and ID not in str(opened)
    await post(client, f"/v1/cases/{case_id}/filing", {"filed": True, "reason": "事实清楚"}, me)
    await post(client, f"/v1/cases/{case_id}/evidence", {"kind": "photo", "ref": "photo-1"}, me)
    noticed = await post(client, f"/v1/cases/{case_id}/notice", {}, me)
    rec = noticed["recommendation"]
    assert rec["outcome"] == "penalty" and rec["fine_fen"] == 200_00 and rec["parts"][0]["tier"] == "repeated"
    departing = {"outcome": "penalty", "fine_fen": 500_00}
    refused = await client.post(f"/v1/cases/{case_id}/decision", json=departing, headers=HEAD)
    assert refused.status_code == 422 and refused.headers["content-type"].startswith("application/problem+json")
    decided = await post(client, f"/v1/cases/{case_id}/decision", {"outcome": "penalty", "fine_fen": 200_00}, HEAD)
    assert decided["case"]["decision"]["followed"] is True
    await post(client, f"/v1/cases/{case_id}/service", {}, me)
    await post(client, f"/v1/cases/{case_id}/payment", {"amount_fen": 200_00, "receipt": "R-1"}, me)
    closed = await post(client, f"/v1/cases/{case_id}/close", {}, me)
    assert closed["case"]["state"] == "closed"

    types = [e["type"] for e in await case_events(infra, case_id, timeout=5)]
    assert types == ["case.opened", "case.filed", "case.decided", "case.closed"]
    decided_event = next(e for e in await case_events(infra, case_id, "case.decided"))
    assert decided_event["data"]["fine_fen"] == 200_00 and ID not in str(decided_event)


async def test_a_retried_write_answers_the_same_and_changes_nothing_twice(client: httpx.AsyncClient) -> None:
    me = officer("o-retry")
    first = await post(client, "/v1/cases", {"category": "shop_encroachment"}, me, 201, key="k-open")
    again = await post(client, "/v1/cases", {"category": "shop_encroachment"}, me, 201, key="k-open")
    assert first == again
    listed = (await client.get("/v1/cases", headers=me)).json()
    assert [c["case"]["id"] for c in listed] == [first["case"]["id"]]


async def test_an_officer_of_another_tenant_sees_nothing(client: httpx.AsyncClient) -> None:
    opened = await post(client, "/v1/cases", {"category": "fire_hazard"}, officer("o-mine"), 201)
    stranger = officer("o-mine", tenant=OTHER_TENANT)
    assert (await client.get(f"/v1/cases/{opened['case']['id']}", headers=stranger)).status_code == 404
    assert (await client.get("/v1/cases", headers=stranger)).json() == []
    colleague = officer("o-other")  # same tenant, not their case
    assert (await client.get(f"/v1/cases/{opened['case']['id']}", headers=colleague)).status_code == 404
    write = await client.post(f"/v1/cases/{opened['case']['id']}/filing", json={"filed": True, "reason": "x"},
                              headers=stranger)
    assert write.status_code == 404


async def test_an_auditor_reads_and_exports_but_cannot_write(client: httpx.AsyncClient) -> None:
    me = officer("o-minor")
    opened = await post(client, "/v1/cases", {"category": "street_vending", "facts": ["minor", "corrected", "no_harm"]},
                        me, 201)
    case_id = opened["case"]["id"]
    await post(client, f"/v1/cases/{case_id}/filing", {"filed": True, "reason": "r"}, me)
    await post(client, f"/v1/cases/{case_id}/decision",
               {"outcome": "no_penalty_minor", "education": "讲解占道经营的规定"}, HEAD)
    assert (await client.post(f"/v1/cases/{case_id}/close", json={}, headers=AUDITOR)).status_code == 403
    assert (await client.get(f"/v1/cases/{case_id}", headers=AUDITOR)).status_code == 200
    export = await client.get("/v1/oversight/export.csv", headers=AUDITOR,
                              params={"start": "2020-01-01T00:00:00Z", "end": "2100-01-01T00:00:00Z"})
    assert export.status_code == 200 and case_id in export.text and "讲解占道经营的规定" in export.text
    assert (await client.post(f"/v1/cases/{case_id}/review", json={"approved": True, "opinion": "ok"},
                              headers=REVIEWER)).status_code == 409  # decided already: no review to give


async def test_trail_verification_catches_an_edited_row(client: httpx.AsyncClient) -> None:
    await post(client, "/v1/cases", {"category": "e_bike_parking"}, officer("o-trail"), 201)
    intact = (await client.get("/v1/trail/verify", headers=AUDITOR)).json()
    assert intact["intact"] and intact["entries"] >= 1
    runtime = runtime_of(client.app)  # type: ignore[attr-defined]
    async with runtime.transaction() as session:
        await session.execute(text("UPDATE trail SET actor = 'someone else' WHERE seq = 1"))
    broken = (await client.get("/v1/trail/verify", headers=AUDITOR)).json()
    assert not broken["intact"] and broken["first_broken_seq"] == 1
    assert await check(runtime.settings.database_url, "330106004") == (broken["entries"], 1)  # the command agrees
