"""What an officer or auditor types that no rule could use is refused with a problem naming the
field, and nothing of the refused request is kept (found by fuzzing the HTTP edge)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from oneteam_case_penalty.api import oversight
from oneteam_devstack.testing import Infra, serve

from .conftest import AUDITOR, HEAD, build_app, case_settings, officer

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
async def client(infra: Infra) -> AsyncIterator[httpx.AsyncClient]:
    async with serve(build_app(case_settings(infra, consume_handoffs=False, background=False))) as c:
        yield c


def refused(answer: httpx.Response, field: str) -> dict[str, Any]:
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    problem: dict[str, Any] = answer.json()
    assert problem["field"] == field
    return problem


async def test_an_unknown_or_derived_fact_is_refused_and_no_case_is_opened(client: httpx.AsyncClient) -> None:
    me = officer("o-bad-facts")

    typo = await client.post("/v1/cases", json={"category": "street_vending", "facts": ["minr"]}, headers=me)
    claimed = await client.post("/v1/cases", json={"category": "street_vending", "facts": ["first_violation"]},
                                headers=me)

    assert "minr" in refused(typo, "facts")["detail"]
    assert "first_violation" in refused(claimed, "facts")["detail"]
    assert (await client.get("/v1/cases", headers=me)).json() == []


async def test_facts_found_later_are_checked_the_same_way(client: httpx.AsyncClient) -> None:
    me = officer("o-bad-facts-2")
    opened = await client.post("/v1/cases", json={"category": "street_vending", "facts": ["repeated"]}, headers=me)
    url = f"/v1/cases/{opened.json()['case']['id']}"

    typo = await client.post(f"{url}/facts", json={"facts": ["obstructs_trafic"]}, headers=me)

    assert "obstructs_trafic" in refused(typo, "facts")["detail"]
    assert (await client.get(url, headers=me)).json()["case"]["facts"] == ["repeated"]


async def test_an_act_in_the_future_is_refused(client: httpx.AsyncClient) -> None:
    answer = await client.post("/v1/cases", json={"category": "street_vending", "act_at": "2100-01-01T00:00:00Z"},
                               headers=officer("o-future"))

    assert refused(answer, "act_at")["detail"] == "act_at is in the future"


async def test_a_transfer_to_a_department_names_it_and_the_case_stays_open(client: httpx.AsyncClient) -> None:
    me = officer("o-transfer")
    opened = await client.post("/v1/cases", json={"category": "fire_hazard"}, headers=me)
    url = f"/v1/cases/{opened.json()['case']['id']}"

    body = {"target": "department", "receipt": "移-9", "reason": "非本部门"}
    nameless = await client.post(f"{url}/transfer", json=body, headers=me)

    refused(nameless, "department")
    assert (await client.get(url, headers=me)).json()["case"]["state"] == "discovered"


async def test_an_export_period_that_ends_before_it_starts_is_refused(client: httpx.AsyncClient) -> None:
    for kind in ("csv", "xlsx"):
        answer = await client.get(f"/v1/oversight/export.{kind}", headers=AUDITOR,
                                  params={"start": "2026-02-01T00:00:00Z", "end": "2026-01-01T00:00:00Z"})

        refused(answer, "end")


async def test_an_export_with_more_decisions_than_it_holds_is_refused_not_cut(
        client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch) -> None:
    me = officer("o-export")
    start = datetime.now(UTC) - timedelta(minutes=1)
    for _ in range(2):
        opened = await client.post("/v1/cases", json={"category": "street_vending",
                                                      "facts": ["minor", "corrected", "no_harm"]}, headers=me)
        url = f"/v1/cases/{opened.json()['case']['id']}"
        assert (await client.post(f"{url}/filing", json={"filed": True, "reason": "r"}, headers=me)).is_success
        decided = await client.post(f"{url}/decision", json={"outcome": "no_penalty_minor", "education": "讲解规定"},
                                    headers=HEAD)
        assert decided.is_success, decided.text
    monkeypatch.setattr(oversight, "EXPORT_MAX", 1)

    answer = await client.get("/v1/oversight/export.csv", headers=AUDITOR, params={
        "start": start.isoformat(), "end": (datetime.now(UTC) + timedelta(minutes=1)).isoformat()})

    refused(answer, "start")


def test_the_payment_callbacks_document_names_its_body_and_signature_headers(infra: Infra) -> None:
    document = build_app(case_settings(infra)).openapi()["paths"]["/v1/payments/callback"]["post"]

    body = document["requestBody"]["content"]["application/json"]["schema"]
    assert set(body["required"]) == {"tenant", "case_id", "amount_fen", "receipt"}
    assert {p["name"] for p in document["parameters"] if p["in"] == "header"} == {
        "X-OneTeam-Timestamp", "X-OneTeam-Signature"}


async def test_naming_the_party_of_a_transferred_case_is_a_conflict_naming_its_state(
        client: httpx.AsyncClient) -> None:
    me = officer("o-late-party")
    opened = await client.post("/v1/cases", json={"category": "fire_hazard"}, headers=me)
    url = f"/v1/cases/{opened.json()['case']['id']}"
    moved = await client.post(f"{url}/transfer", headers=me,
                              json={"target": "police", "receipt": "移-3", "reason": "涉嫌犯罪"})
    assert moved.is_success, moved.text

    late = await client.put(f"{url}/party", json={"kind": "person", "identifier": "11010519491231002X"}, headers=me)

    assert late.status_code == 409 and late.headers["content-type"] == "application/problem+json"
    assert late.json()["state"] == "transferred"
    assert (await client.get(url, headers=me)).json()["case"]["party_identified"] is False
