"""Retry safety: every write a mobile app or the console makes takes an Idempotency-Key, and a
retry with the same key answers the first answer again without doing the step twice."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from oneteam_devstack.testing import Infra, serve
from oneteam_servicekit.problems import api_routes, has_header

from .conftest import HEAD, build_app, case_settings, officer

pytestmark = pytest.mark.integration
ID = "11010519491231002X"  # a valid citizen ID (GB 11643 checksum X)
# The payment platform's callback is signed and deduplicated by its receipt instead (api/payments.py).
SIGNED_CALLBACKS = {"/v1/payments/callback"}


@pytest.fixture(scope="module")
async def client(infra: Infra) -> AsyncIterator[httpx.AsyncClient]:
    async with serve(build_app(case_settings(infra, consume_handoffs=False, background=False))) as c:
        yield c


async def twice(client: httpx.AsyncClient, method: str, path: str, body: dict[str, Any], headers: dict[str, str],
                key: str) -> dict[str, Any]:
    """Send the same write twice with one key, as a phone that lost the first answer would; the answer."""
    first = await client.request(method, path, json=body, headers={**headers, "Idempotency-Key": key})
    again = await client.request(method, path, json=body, headers={**headers, "Idempotency-Key": key})
    assert first.status_code < 300, first.text
    assert (again.status_code, again.json()) == (first.status_code, first.json()), path
    return dict(first.json())


def test_every_write_route_takes_an_idempotency_key(infra: Infra) -> None:
    app = build_app(case_settings(infra, consume_handoffs=False, background=False))
    writes = [r for r in api_routes(app) if r.methods & {"POST", "PUT", "PATCH", "DELETE"}]

    without = [r.path for r in writes
               if not has_header(r.dependant, "idempotency-key") and r.path not in SIGNED_CALLBACKS]

    assert len(writes) >= 17 and without == []


async def test_a_case_retried_at_every_step_runs_each_step_once(client: httpx.AsyncClient) -> None:
    me = officer("o-retries")
    opened = await twice(client, "POST", "/v1/cases", {"category": "street_vending", "facts": ["repeated"]}, me,
                         "r-open")
    url = f"/v1/cases/{opened['case']['id']}"
    await twice(client, "PUT", f"{url}/party", {"kind": "person", "identifier": ID}, me, "r-party")
    await twice(client, "POST", f"{url}/filing", {"filed": True, "reason": "事实清楚"}, me, "r-filing")
    await twice(client, "POST", f"{url}/evidence", {"kind": "photo", "ref": "photo-1"}, me, "r-evidence")
    await twice(client, "POST", f"{url}/facts", {"facts": ["repeated"]}, me, "r-facts")
    await twice(client, "POST", f"{url}/notice", {}, me, "r-notice")
    await twice(client, "POST", f"{url}/decision", {"outcome": "penalty", "fine_fen": 200_00}, HEAD, "r-decision")
    await twice(client, "POST", f"{url}/documents", {"kind": "penalty_decision"}, me, "r-document")
    await twice(client, "POST", f"{url}/service", {}, me, "r-service")
    await twice(client, "POST", f"{url}/payment", {"amount_fen": 200_00, "receipt": "R-retry"}, me, "r-payment")
    closed = await twice(client, "POST", f"{url}/close", {}, me, "r-close")

    steps = [entry["action"] for entry in (await client.get(f"{url}/trail", headers=me)).json()]
    assert steps == ["opened", "party_identified", "filed", "evidence", "facts", "notified", "decided",
                     "document_issued", "served", "paid", "closed"]
    assert closed["case"]["state"] == "closed" and len(closed["case"]["evidence"]) == 1
    listed = (await client.get("/v1/cases", headers=me)).json()
    assert [c["case"]["id"] for c in listed] == [opened["case"]["id"]]


async def test_handing_a_case_on_retried_answers_the_same(client: httpx.AsyncClient) -> None:
    me = officer("o-retries-2")
    opened = await twice(client, "POST", "/v1/cases", {"category": "fire_hazard"}, me, "r2-open")
    url = f"/v1/cases/{opened['case']['id']}"
    await twice(client, "POST", f"{url}/filing", {"filed": True, "reason": "需要立案"}, me, "r2-filing")
    extended = await twice(client, "POST", f"{url}/extension", {"days": 30, "reason": "案情复杂"}, HEAD, "r2-extension")
    await twice(client, "POST", f"{url}/officer", {"officer_id": "o-retries-2"}, HEAD, "r2-officer")
    transfer = {"target": "police", "receipt": "移-1", "reason": "涉嫌犯罪"}
    moved = await twice(client, "POST", f"{url}/transfer", transfer, me, "r2-transfer")

    assert extended["case"]["state"] != moved["case"]["state"]
    different = await client.post(f"{url}/transfer", json={**transfer, "receipt": "移-2"},
                                  headers={**me, "Idempotency-Key": "r2-transfer"})
    assert different.status_code == 422 and different.headers["content-type"].startswith("application/problem+json")
