"""A dispute over HTTP: parties, consent, a mediator proposed and assigned, a session booked
(double-booking refused), an agreement, a follow-up; refusals and broken agreements referred."""

from __future__ import annotations

import asyncio
import io
import json
import logging
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest

from oneteam_devstack.testing import Infra, read_topic, serve
from oneteam_servicekit.logs import JsonFormatter

from .conftest import (
    AUDITOR,
    COMMANDER,
    ID_LI,
    ID_ZHANG,
    MEDIATOR,
    MovableClock,
    build_app,
    events,
    next_weekday_at,
    settings,
    staff,
)

pytestmark = pytest.mark.integration
CLOCK = MovableClock()
PARTIES = [{"kind": "person", "identifier": ID_ZHANG, "contact": {"name": "张三", "phone": "13800001111"}},
           {"kind": "person", "contact": {"name": "李四", "phone": "13900002222"}}]


@pytest.fixture(scope="module")
async def client(infra: Infra) -> AsyncIterator[httpx.AsyncClient]:
    async with serve(build_app(settings(infra, consume_handoffs=False, background=False), CLOCK)) as http:
        yield http


async def walk_in(client: httpx.AsyncClient, parties: list[dict[str, Any]] | None = None,
                  category: str = "dispute") -> dict[str, Any]:
    answer = await client.post("/v1/mediations", headers=MEDIATOR, json={
        "origin": "walk_in", "category": category, "parties": parties or PARTIES})
    assert answer.status_code == 201, answer.text
    return dict(answer.json()["mediation"])


async def ready(client: httpx.AsyncClient, parties: list[dict[str, Any]] | None = None,
                mediator: str = "cy-med-01") -> str:
    m = await walk_in(client, parties)
    url = f"/v1/mediations/{m['id']}"
    for party in ("p1", "p2"):
        assert (await client.post(f"{url}/consents", headers=MEDIATOR,
                                  json={"party_id": party, "consent": "given"})).status_code == 200
    assert (await client.put(f"{url}/mediator", headers=COMMANDER, json={"mediator_id": mediator})).status_code == 200
    return str(m["id"])


async def test_a_walk_in_is_mediated_to_a_kept_agreement_with_no_penalty_grounds(
        client: httpx.AsyncClient, infra: Infra) -> None:
    mediation_id = await ready(client)
    url = f"/v1/mediations/{mediation_id}"
    start = next_weekday_at(CLOCK, 10, days_ahead=3)
    booked = await client.post(f"{url}/sessions", headers=MEDIATOR, json={
        "starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=1)).isoformat(),
        "room_id": "sunshine_room"})
    assert booked.status_code == 201, booked.text
    session_id = booked.json()["mediation"]["sessions"][0]["id"]
    held = await client.post(f"{url}/sessions/{session_id}/record", headers=MEDIATOR, json={
        "attended": ["p1", "p2"], "outcome": "agreement", "statements": {"p1": "他家半夜吵"}, "notes": "双方情绪激动"})
    assert held.status_code == 200, held.text
    signed = await client.post(f"{url}/agreement", headers=MEDIATOR, json={
        "obligations": [{"id": "o1", "party_id": "p2", "kind": "pay", "terms": "赔偿损坏的门锁", "amount_fen": 30000,
                         "due": (date.today() + timedelta(days=7)).isoformat()}],
        "signatures": [{"party_id": "p1"}, {"party_id": "p2"}]})
    assert signed.status_code == 200 and signed.json()["judicial_confirmation"] == "open", signed.text
    applied = await client.post(f"{url}/judicial-confirmation", headers=MEDIATOR,
                                json={"applied_at": datetime.now(UTC).isoformat()})
    assert applied.status_code == 200 and applied.json()["judicial_confirmation"] == "applied", applied.text
    kept = await client.post(f"{url}/follow-ups", headers=MEDIATOR, json={"results": {"o1": "kept"}})
    assert kept.status_code == 200, kept.text
    audited = (await client.get(url, headers=AUDITOR)).json()
    pdf = await client.get(f"{url}/agreement.pdf", headers=MEDIATOR)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert pdf.headers["content-type"] == "application/pdf"

    done = kept.json()["mediation"]
    assert done["state"] == "concluded" and done["outcome"] == "resolved" and done["no_penalty_grounds"]
    assert audited["contacts"]["p1"] == {"name": "张*", "phone": "138****1111"}
    assert audited["mediation"]["sessions"][0]["notes"] is None
    found = await events(infra, "oneteam.mediations", mediation_id, want=6)
    assert [e["type"] for e in found] == [
        "mediation.opened", "mediation.session_scheduled", "mediation.session_held", "mediation.agreement_signed",
        "mediation.agreement_kept", "mediation.concluded"]
    kinds = {e["type"]: e["data"] for e in found}
    assert kinds["mediation.agreement_kept"]["no_penalty_grounds"] is True
    assert kinds["mediation.concluded"]["outcome"] == "resolved"
    assert "张三" not in str(found) and "13800001111" not in str(found)


async def test_a_refusal_of_consent_hands_the_matter_to_a_penalty_case(client: httpx.AsyncClient,
                                                                        infra: Infra) -> None:
    m = await walk_in(client)

    refused = await client.post(f"/v1/mediations/{m['id']}/consents", headers=MEDIATOR,
                                json={"party_id": "p2", "consent": "refused"})

    assert refused.status_code == 200, refused.text
    after = refused.json()["mediation"]
    assert after["outcome"] == "referred" and after["referral"] == "case" and after["failure"] == "party_refused"
    concluded = [e for e in await events(infra, "oneteam.mediations", m["id"], want=2) if
                 e["type"] == "mediation.concluded"]
    assert concluded[0]["data"]["referral"] == "case"
    failed = await failed_for(infra, m["id"])
    assert failed["data"]["reason"] == "party_refused" and failed["data"]["category"] == "dispute"


async def test_a_broken_agreement_is_referred_as_not_kept(client: httpx.AsyncClient, infra: Infra) -> None:
    mediation_id = await ready(client)
    url = f"/v1/mediations/{mediation_id}"
    await client.post(f"{url}/agreement", headers=MEDIATOR, json={
        "obligations": [{"id": "o1", "party_id": "p1", "kind": "refrain", "terms": "晚十点后不再装修",
                         "due": date.today().isoformat()}],
        "signatures": [{"party_id": "p1"}, {"party_id": "p2"}]})

    broken = await client.post(f"{url}/follow-ups", headers=MEDIATOR,
                               json={"results": {"o1": "broken"}, "departments": ["community", "enforcement"]})

    assert broken.status_code == 200, broken.text
    assert broken.json()["mediation"]["follow_ups"][0]["joint"] is True
    failed = await failed_for(infra, mediation_id)
    assert failed["data"]["reason"] == "agreement_not_kept"


async def test_a_mediator_room_or_party_is_never_booked_twice(client: httpx.AsyncClient) -> None:
    first = await ready(client)
    # The same person (same ID number) in another dispute, with another mediator.
    second = await ready(client, [{"kind": "person", "identifier": ID_ZHANG}, {"kind": "person", "identifier": ID_LI}],
                         mediator="cy-med-03")
    third = await ready(client, [{"kind": "person"}, {"kind": "person"}], mediator="cy-med-03")
    start = next_weekday_at(CLOCK, 14, days_ahead=4)
    slot = {"starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=1)).isoformat()}

    assert (await client.post(f"/v1/mediations/{first}/sessions", headers=COMMANDER,
                              json={**slot, "room_id": "sunshine_room"})).status_code == 201
    party = await client.post(f"/v1/mediations/{second}/sessions", headers=COMMANDER, json=slot)
    room = await client.post(f"/v1/mediations/{third}/sessions", headers=COMMANDER,
                             json={**slot, "room_id": "sunshine_room"})
    online = await client.post(f"/v1/mediations/{third}/sessions", headers=COMMANDER, json=slot)

    assert party.status_code == 409 and party.json()["clash"] == "party_booked"
    assert party.headers["content-type"].startswith("application/problem+json")
    assert room.status_code == 409 and room.json()["clash"] == "room_booked"
    assert online.status_code == 201, online.text


async def test_proposal_excludes_a_tied_mediator_and_explains_why(client: httpx.AsyncClient) -> None:
    m = await walk_in(client, [{"kind": "organisation", "organisation": "cuiyuan-property-services"},
                               {"kind": "person", "declared_ties": ["cy-med-03"]}], category="noise")

    ranked = (await client.get(f"/v1/mediations/{m['id']}/proposal", headers=COMMANDER)).json()
    tied = await client.put(f"/v1/mediations/{m['id']}/mediator", headers=COMMANDER,
                            json={"mediator_id": "cy-med-03"})

    assert [c["mediator_id"] for c in ranked if c["eligible"]] == ["cy-med-01"]
    assert {c["mediator_id"]: c["eligible"] for c in ranked}["cy-med-02"] is False
    assert "conflict of interest" in {c["mediator_id"]: c["reason"] for c in ranked}["cy-med-03"]
    assert tied.status_code == 409


async def test_a_retried_write_with_its_key_has_one_effect_and_other_roles_are_refused(
        client: httpx.AsyncClient) -> None:
    body = {"origin": "walk_in", "category": "dispute", "parties": PARTIES}
    first = await client.post("/v1/mediations", headers={**MEDIATOR, "Idempotency-Key": "walk-in-1"}, json=body)
    again = await client.post("/v1/mediations", headers={**MEDIATOR, "Idempotency-Key": "walk-in-1"}, json=body)
    plain_officer = await client.post("/v1/mediations", headers=staff("cy-019"), json=body)
    other_mediator = await client.post(f"/v1/mediations/{first.json()['mediation']['id']}/withdrawal",
                                       headers=staff("cy-med-02"))
    anonymous = await client.get("/v1/mediations")

    assert first.status_code == 201 and again.json() == first.json()
    assert plain_officer.status_code == 403
    assert other_mediator.status_code == 200  # unassigned: any mediator of the registry may take it
    assert anonymous.status_code == 401


async def test_an_on_site_settlement_is_counted_as_resolved_on_site(client: httpx.AsyncClient,
                                                                     infra: Infra) -> None:
    answer = await client.post("/v1/mediations/on-site", headers=staff("cy-019"), json={
        "category": "dispute", "parties": [{"kind": "person"}, {"kind": "person"}],
        "signatures": [{"party_id": "p1"}, {"party_id": "p2"}]})

    assert answer.status_code == 201, answer.text
    m = answer.json()["mediation"]
    assert m["outcome"] == "resolved_on_site" and m["origin"] == "on_site"
    found = await events(infra, "oneteam.mediations", m["id"], want=3)
    assert [e["type"] for e in found] == ["mediation.opened", "mediation.agreement_signed", "mediation.concluded"]
    assert found[-1]["data"]["outcome"] == "resolved_on_site"


async def failed_for(infra: Infra, mediation_id: str) -> dict[str, Any]:
    """The mediation.failed hand-off about a mediation (keyed by its own request id)."""
    records = await read_topic(infra.bootstrap_servers, "oneteam.handoffs", 1,
                               lambda r: mediation_id.encode() in r.value and b"mediation.failed" in r.value,
                               timeout=5)
    assert records, "no mediation.failed"
    return dict(json.loads(records[0].value))


async def test_two_requests_racing_for_one_room_book_it_once(client: httpx.AsyncClient) -> None:
    first, second = await ready(client), await ready(client, mediator="cy-med-03")
    start = next_weekday_at(CLOCK, 15, days_ahead=5)
    slot = {"starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=1)).isoformat(),
            "room_id": "community_room_1"}

    answers = await asyncio.gather(*(client.post(f"/v1/mediations/{m}/sessions", headers=COMMANDER, json=slot)
                                     for m in (first, second)))

    assert sorted(a.status_code for a in answers) == [201, 409]


async def test_a_cancelled_session_frees_its_slot(client: httpx.AsyncClient) -> None:
    first, second = await ready(client), await ready(client, mediator="cy-med-03")
    start = next_weekday_at(CLOCK, 16, days_ahead=6)
    slot = {"starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=1)).isoformat(),
            "room_id": "sunshine_room"}
    booked = await client.post(f"/v1/mediations/{first}/sessions", headers=COMMANDER, json=slot)
    session_id = booked.json()["mediation"]["sessions"][0]["id"]

    cancelled = await client.delete(f"/v1/mediations/{first}/sessions/{session_id}", headers=COMMANDER)
    taken = await client.post(f"/v1/mediations/{second}/sessions", headers=COMMANDER, json=slot)

    assert cancelled.status_code == 200 and cancelled.json()["mediation"]["sessions"][0]["cancelled"] is True
    assert taken.status_code == 201, taken.text


async def test_no_log_line_carries_a_partys_contact_or_identifier(client: httpx.AsyncClient) -> None:
    lines = io.StringIO()
    handler = logging.StreamHandler(lines)
    handler.setFormatter(JsonFormatter("mediation"))
    root, level = logging.getLogger(), logging.getLogger().level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        m = await walk_in(client)
        bad = await client.post("/v1/mediations", headers=MEDIATOR, json={
            "origin": "walk_in", "category": "dispute",
            "parties": [{"kind": "person", "identifier": "11010519491231002Y", "contact": {"phone": "13800001111"}}]})
        await client.get(f"/v1/mediations/{m['id']}", headers=COMMANDER)
    finally:
        root.removeHandler(handler)
        root.setLevel(level)

    assert bad.status_code == 422 and "11010519491231002" not in bad.text
    text = lines.getvalue()
    assert text, "the capture saw the requests"
    for value in ("张三", "13800001111", "李四", "13900002222", ID_ZHANG, "11010519491231002Y"):
        assert value not in text
