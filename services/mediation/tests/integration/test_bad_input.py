"""Dates no one could mean are refused with a problem naming the field, and the mediation is left
as it was (found by probing the HTTP edge with boundary values)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, timedelta
from typing import Any

import httpx
import pytest

from oneteam_devstack.testing import Infra, serve

from .conftest import COMMANDER, MovableClock, build_app, settings, staff

pytestmark = pytest.mark.integration
CLOCK = MovableClock()
MEDIATOR = staff("cy-med-01")


@pytest.fixture(scope="module")
async def client(infra: Infra) -> AsyncIterator[httpx.AsyncClient]:
    async with serve(build_app(settings(infra, consume_handoffs=False, background=False), CLOCK)) as c:
        yield c


def refused(answer: httpx.Response, field: str) -> None:
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["field"] == field


async def ready(client: httpx.AsyncClient) -> str:
    opened = await client.post("/v1/mediations", headers=MEDIATOR, json={
        "origin": "walk_in", "category": "dispute", "parties": [{"kind": "person"}, {"kind": "person"}]})
    url = f"/v1/mediations/{opened.json()['mediation']['id']}"
    for party in ("p1", "p2"):
        await client.post(f"{url}/consents", headers=MEDIATOR, json={"party_id": party, "consent": "given"})
    assert (await client.put(f"{url}/mediator", headers=COMMANDER, json={"mediator_id": "cy-med-01"})).is_success
    return url


def agreement(due: str) -> dict[str, Any]:
    return {"obligations": [{"id": "o1", "party_id": "p2", "kind": "pay", "terms": "赔偿", "amount_fen": 100,
                             "due": due}],
            "signatures": [{"party_id": "p1"}, {"party_id": "p2"}]}


async def test_an_agreement_due_in_the_year_9999_is_refused_and_nothing_is_signed(client: httpx.AsyncClient) -> None:
    url = await ready(client)

    answer = await client.post(f"{url}/agreement", headers=MEDIATOR, json=agreement("9999-12-31"))

    refused(answer, "obligations")
    after = (await client.get(url, headers=MEDIATOR)).json()
    assert after["mediation"]["state"] == "open" and after["mediation"]["agreement"] is None


async def test_a_session_thousands_of_years_ahead_is_refused(client: httpx.AsyncClient) -> None:
    url = await ready(client)

    answer = await client.post(f"{url}/sessions", headers=MEDIATOR,
                               json={"starts_at": "9999-12-31T01:00:00Z", "ends_at": "9999-12-31T02:00:00Z"})

    refused(answer, "starts_at")
    assert (await client.get(url, headers=MEDIATOR)).json()["mediation"]["sessions"] == []


async def test_a_judicial_confirmation_dated_before_signing_is_refused(client: httpx.AsyncClient) -> None:
    url = await ready(client)
    signed = await client.post(f"{url}/agreement", headers=MEDIATOR,
                               json=agreement((date.today() + timedelta(days=7)).isoformat()))
    assert signed.status_code == 200, signed.text

    early = await client.post(f"{url}/judicial-confirmation", headers=MEDIATOR,
                              json={"applied_at": "2000-01-01T00:00:00Z"})

    refused(early, "applied_at")
    assert (await client.get(url, headers=MEDIATOR)).json()["judicial_confirmation"] == "open"
