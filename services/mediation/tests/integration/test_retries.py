"""Retry safety: every write a mediator's tablet, an officer's phone or the console makes takes an
Idempotency-Key, and a retry with the same key answers the first answer again without doing the
step twice."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, timedelta
from typing import Any

import httpx
import pytest

from oneteam_devstack.testing import Infra, serve
from oneteam_servicekit.problems import api_routes, has_header

from .conftest import COMMANDER, MovableClock, build_app, events, next_weekday_at, settings, staff

pytestmark = pytest.mark.integration
CLOCK = MovableClock()
MEDIATOR = staff("cy-med-02")


@pytest.fixture(scope="module")
async def client(infra: Infra) -> AsyncIterator[httpx.AsyncClient]:
    async with serve(build_app(settings(infra, consume_handoffs=False, background=False), CLOCK)) as c:
        yield c


async def twice(client: httpx.AsyncClient, method: str, path: str, body: dict[str, Any] | None,
                headers: dict[str, str], key: str) -> dict[str, Any]:
    """Send the same write twice with one key, as a tablet that lost the first answer would; the answer."""
    first = await client.request(method, path, json=body, headers={**headers, "Idempotency-Key": key})
    again = await client.request(method, path, json=body, headers={**headers, "Idempotency-Key": key})
    assert first.status_code < 300, first.text
    assert (again.status_code, again.json()) == (first.status_code, first.json()), path
    return dict(first.json())


def test_every_write_route_takes_an_idempotency_key(infra: Infra) -> None:
    app = build_app(settings(infra, consume_handoffs=False, background=False))
    writes = [r for r in api_routes(app) if r.methods & {"POST", "PUT", "PATCH", "DELETE"}]

    without = [r.path for r in writes if not has_header(r.dependant, "idempotency-key")]

    assert len(writes) >= 13 and without == []


async def test_a_mediation_retried_at_every_step_runs_each_step_once(client: httpx.AsyncClient,
                                                                      infra: Infra) -> None:
    opened = await twice(client, "POST", "/v1/mediations", {
        "origin": "walk_in", "category": "dispute", "parties": [{"kind": "person"}]}, MEDIATOR, "m-open")
    url = f"/v1/mediations/{opened['mediation']['id']}"
    await twice(client, "POST", f"{url}/parties", {"parties": [{"kind": "person"}]}, MEDIATOR, "m-parties")
    for party in ("p1", "p2"):
        await twice(client, "POST", f"{url}/consents", {"party_id": party, "consent": "given"}, MEDIATOR,
                    f"m-consent-{party}")
    await twice(client, "PUT", f"{url}/mediator", {"mediator_id": "cy-med-02"}, COMMANDER, "m-mediator")
    start = next_weekday_at(CLOCK, 15, days_ahead=6)
    start += timedelta(days=(1 - start.weekday()) % 7)  # cy-med-02 sits on Tuesdays and Thursdays
    slot = {"starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=1)).isoformat()}
    booked = await twice(client, "POST", f"{url}/sessions", slot, MEDIATOR, "m-book")
    first_id = booked["mediation"]["sessions"][0]["id"]
    await twice(client, "DELETE", f"{url}/sessions/{first_id}", None, MEDIATOR, "m-cancel")
    later = {"starts_at": (start + timedelta(hours=1)).isoformat(), "ends_at": (start + timedelta(hours=2)).isoformat()}
    rebooked = await twice(client, "POST", f"{url}/sessions", later, MEDIATOR, "m-rebook")
    session_id = rebooked["mediation"]["sessions"][-1]["id"]
    await twice(client, "POST", f"{url}/sessions/{session_id}/record",
                {"attended": ["p1", "p2"], "outcome": "agreement"}, MEDIATOR, "m-record")
    await twice(client, "POST", f"{url}/agreement", {
        "obligations": [{"id": "o1", "party_id": "p2", "kind": "pay", "terms": "赔偿损坏的自行车", "amount_fen": 20000,
                         "due": (date.today() + timedelta(days=7)).isoformat()}],
        "signatures": [{"party_id": "p1"}, {"party_id": "p2"}]}, MEDIATOR, "m-agreement")
    await twice(client, "POST", f"{url}/judicial-confirmation", {"applied_at": CLOCK.now().isoformat()}, MEDIATOR,
                "m-confirmation")
    kept = await twice(client, "POST", f"{url}/follow-ups", {"results": {"o1": "kept"}}, MEDIATOR, "m-follow-up")

    done = kept["mediation"]
    assert [p["id"] for p in done["parties"]] == ["p1", "p2"]
    assert len(done["sessions"]) == 2 and len(done["follow_ups"]) == 1 and done["state"] == "concluded"
    found = await events(infra, "oneteam.mediations", done["id"], want=8)
    assert [e["type"] for e in found] == [
        "mediation.opened", "mediation.session_scheduled", "mediation.session_cancelled",
        "mediation.session_scheduled", "mediation.session_held",
        "mediation.agreement_signed", "mediation.agreement_kept", "mediation.concluded"]


async def test_closing_without_mediation_retried_answers_the_same(client: httpx.AsyncClient) -> None:
    officer = staff("cy-031")
    settled = await twice(client, "POST", "/v1/mediations/on-site", {
        "category": "dispute", "parties": [{"kind": "person"}, {"kind": "person"}],
        "signatures": [{"party_id": "p1"}, {"party_id": "p2"}]}, officer, "m-on-site")
    referred = await twice(client, "POST", "/v1/mediations", {
        "origin": "walk_in", "category": "dispute", "parties": [{"kind": "person"}, {"kind": "person"}]},
        MEDIATOR, "m-open-2")
    withdrawn = await twice(client, "POST", "/v1/mediations", {
        "origin": "walk_in", "category": "noise", "parties": [{"kind": "person"}, {"kind": "person"}]},
        MEDIATOR, "m-open-3")
    court = await twice(client, "POST", f"/v1/mediations/{referred['mediation']['id']}/referral",
                        {"target": "court", "reason": "一方坚持起诉"}, MEDIATOR, "m-referral")
    gone = await twice(client, "POST", f"/v1/mediations/{withdrawn['mediation']['id']}/withdrawal", None, MEDIATOR,
                       "m-withdrawal")

    assert settled["mediation"]["outcome"] == "resolved_on_site"
    assert court["mediation"]["referral"] == "court" and gone["mediation"]["state"] == "concluded"
    mine = (await client.get("/v1/mediations", headers=officer)).json()
    assert [m["mediation"]["id"] for m in mine] == [settled["mediation"]["id"]]
