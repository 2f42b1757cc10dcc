"""On-the-spot decisions (Art. 51) in one request, and payments by a signed platform callback."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from oneteam_devstack.testing import Infra, serve
from oneteam_servicekit.signatures import sign

from .conftest import PAYMENT_KEY, build_app, case_events, case_settings, officer

pytestmark = pytest.mark.integration
COMPANY = "91110000600037341L"  # a valid unified social credit code


@pytest.fixture(scope="module")
async def client(infra: Infra) -> AsyncIterator[httpx.AsyncClient]:
    async with serve(build_app(case_settings(infra, consume_handoffs=False, background=False))) as c:
        yield c


def summary(assignment_id: str, fine_fen: int, **extra: Any) -> dict[str, Any]:
    return {"assignment_id": assignment_id, "category": "e_bike_parking", "facts": ["minor", "admitted"],
            "party": {"kind": "person", "identifier": "11010519491231002X"},
            "decision": {"outcome": "fast_minor_penalty", "fine_fen": fine_fen}, **extra}


async def test_a_summary_case_is_opened_decided_and_served_in_one_request_once_per_assignment(
        client: httpx.AsyncClient, infra: Infra) -> None:
    me, assignment = officer("o-spot"), str(uuid.uuid4())
    first = await client.post("/v1/cases/summary", json=summary(assignment, 5_00),
                              headers={**me, "Idempotency-Key": "spot-1"})
    assert first.status_code == 201, first.text
    case = first.json()["case"]
    assert (case["procedure"], case["state"], case["decision"]["followed"]) == ("summary", "served", True)
    assert "payment" in case["deadlines"]
    retried = await client.post("/v1/cases/summary", json=summary(assignment, 5_00),
                                headers={**me, "Idempotency-Key": "spot-1"})
    assert retried.json() == first.json()
    twice = await client.post("/v1/cases/summary", json=summary(assignment, 5_00),
                              headers={**me, "Idempotency-Key": "spot-2"})
    assert twice.status_code == 422  # the same assignment decided again under a new key
    types = [e["type"] for e in await case_events(infra, case["id"], timeout=4)]
    assert types == ["case.opened", "case.decided"]


async def test_a_summary_fine_above_the_art_51_limit_is_refused(client: httpx.AsyncClient) -> None:
    body = summary(str(uuid.uuid4()), 300_00, item_codes=["shop_encroachment"])
    body["decision"] = {"outcome": "penalty", "fine_fen": 300_00, "reason": "repeated on the same day"}
    refused = await client.post("/v1/cases/summary", json=body, headers=officer("o-spot"))
    assert refused.status_code == 422 and "Art. 51" in refused.json()["detail"]
    company = {**body, "party": {"kind": "organisation", "identifier": COMPANY}}
    assert (await client.post("/v1/cases/summary", json=company, headers=officer("o-spot"))).status_code == 201


async def test_an_invalid_id_number_is_refused_without_echoing_it(client: httpx.AsyncClient) -> None:
    body = summary(str(uuid.uuid4()), 5_00)
    body["party"]["identifier"] = "110105194912310021"
    refused = await client.post("/v1/cases/summary", json=body, headers=officer("o-spot"))
    assert refused.status_code == 422 and "GB 11643" in refused.text and "110105194912310021" not in refused.text


async def test_a_signed_payment_callback_pays_the_fine_once_and_a_forged_one_is_refused(
        client: httpx.AsyncClient) -> None:
    made = await client.post("/v1/cases/summary", json=summary(str(uuid.uuid4()), 5_00), headers=officer("o-pay"))
    case_id = made.json()["case"]["id"]
    raw = json.dumps({"tenant": "330106004", "case_id": case_id, "amount_fen": 5_00, "receipt": "PAY-9"}).encode()
    stamp = str(int(time.time()))
    forged = await client.post("/v1/payments/callback", content=raw, headers={
        "content-type": "application/json", "x-oneteam-timestamp": stamp,
        "x-oneteam-signature": sign(b"wrong-key", stamp, raw)})
    assert forged.status_code == 401
    signed = {"content-type": "application/json", "x-oneteam-timestamp": stamp,
              "x-oneteam-signature": sign(PAYMENT_KEY.encode(), stamp, raw)}
    paid = await client.post("/v1/payments/callback", content=raw, headers=signed)
    again = await client.post("/v1/payments/callback", content=raw, headers=signed)
    assert paid.json()["state"] == "paid" and again.json()["duplicate"] is True
    odd = b'{"tenant": "330106004", "case_id": "not-a-uuid"}'
    malformed = await client.post("/v1/payments/callback", content=odd, headers={
        "content-type": "application/json", "x-oneteam-timestamp": stamp,
        "x-oneteam-signature": sign(PAYMENT_KEY.encode(), stamp, odd)})
    assert malformed.status_code == 422 and malformed.headers["content-type"] == "application/problem+json"
    closed = await client.post(f"/v1/cases/{case_id}/close", json={}, headers=officer("o-pay"))
    assert closed.status_code == 200 and closed.json()["case"]["state"] == "closed"
