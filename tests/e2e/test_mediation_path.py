"""The mediation path across processes: a dispute reported in intake, dispatch's officer hands it
to mediation, the parties agree and keep it, the events for the case service's 调解不罚 reach
Kafka valid against their published schemas, and case_penalty records the matter decided with no
penalty under the mediated rule; a broken agreement becomes a case in case_penalty."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import jsonschema_rs
import pytest

from oneteam_contracts.envelope import CE_EXTENSIONS
from oneteam_devstack.stack import Stack
from oneteam_devstack.testing import read_topic
from oneteam_servicekit.auth import Role

from .test_case_path import as_, step
from .test_walking_skeleton import COMMANDER, TENANT, poll

pytestmark = pytest.mark.e2e
SCHEMAS = Path(__file__).resolve().parents[2] / "contracts" / "schemas"
MEDIATOR = "cy-med-01"  # in the demo registry; signs in with an officer token


def mediate(suite: Stack, mediation_id: str, results: str) -> None:
    """Parties, consent, mediator, agreement and a follow-up finding its one obligation `results`."""
    url = f"{suite.urls['mediation']}/v1/mediations/{mediation_id}"
    me = as_([Role.OFFICER], MEDIATOR)
    step(f"{url}/parties", me, {"parties": [{"kind": "person", "contact": {"name": "张三", "phone": "13800001111"}},
                                            {"kind": "person"}]})
    for party in ("p1", "p2"):
        step(f"{url}/consents", as_([Role.OFFICER], MEDIATOR), {"party_id": party, "consent": "given"})
    response = httpx.put(f"{url}/mediator", json={"mediator_id": MEDIATOR}, headers=as_([Role.COMMANDER]))
    assert response.status_code == 200, response.text
    step(f"{url}/agreement", as_([Role.OFFICER], MEDIATOR), {
        "obligations": [{"id": "o1", "party_id": "p2", "kind": "apologise", "terms": "当面道歉",
                         "due": date.today().isoformat()}],
        "signatures": [{"party_id": "p1"}, {"party_id": "p2"}]})
    step(f"{url}/follow-ups", as_([Role.OFFICER], MEDIATOR), {"results": {"o1": results}})


def on_topic(suite: Stack, topic: str, match: bytes, kind: bytes) -> dict[str, Any]:
    records = asyncio.run(read_topic(suite.bootstrap_servers, topic, 1,
                                     lambda r: match in r.value and kind in r.value, 20))
    assert records, f"{kind.decode()} did not reach {topic} within 20 s"
    assert dict(records[0].headers)["content-type"] == b"application/cloudevents+json"
    return as_envelope(json.loads(records[0].value))


def as_envelope(cloudevent: dict[str, Any]) -> dict[str, Any]:
    """The structured CloudEvent's value with the envelope's names, as the schema files spell them."""
    renamed = {ce: name for name, ce in CE_EXTENSIONS.items()}
    envelope = {renamed.get(k, k): v for k, v in cloudevent.items() if k != "dataschema"}
    assert cloudevent["dataschema"] == f"urn:oneteam:schema:{cloudevent['type']}:v{cloudevent['schemaversion']}"
    return envelope


def test_a_dispute_found_on_site_is_mediated_and_its_kept_agreement_ends_without_penalty(suite: Stack) -> None:
    report = {"tenant": TENANT, "category": "dispute", "description": "两户邻居因漏水争吵",
              "location": {"lon": 120.1240, "lat": 30.2880}}
    accepted = httpx.post(f"{suite.urls['intake']}/v1/reports", json=report,
                          headers={"Idempotency-Key": str(uuid.uuid4())})
    assert accepted.status_code == 201, accepted.text
    incident_id = accepted.json()["incident_id"]
    dispatch = suite.urls["dispatch"]
    orders = poll(lambda: httpx.get(f"{dispatch}/v1/assignments", params={"incident_id": incident_id},
                                    headers=COMMANDER).json())
    assert orders, "no order in dispatch within 15 s"
    order, officer_id = orders[0], orders[0]["officer_ids"][0]
    step(f"{dispatch}/v1/assignments/{order['id']}/acknowledge", as_([Role.OFFICER], officer_id))
    step(f"{dispatch}/v1/assignments/{order['id']}/arrive", as_([Role.OFFICER], officer_id),
         {"reason": "GPS 信号弱，已在现场"})
    step(f"{dispatch}/v1/assignments/{order['id']}/report", as_([Role.OFFICER], officer_id),
         {"outcome": "dispute_for_mediation"})

    listed = f"{suite.urls['mediation']}/v1/mediations"
    found = poll(lambda: [m for m in httpx.get(listed, headers=COMMANDER).json()
                          if m["mediation"]["incident_id"] == incident_id], timeout=30)
    assert found, "no mediation within 30 s"
    mediation_id = found[0]["mediation"]["id"]
    mediate(suite, mediation_id, "kept")

    for kind in ("mediation.agreement_kept", "mediation.concluded"):
        event = on_topic(suite, "oneteam.mediations", mediation_id.encode(), kind.encode())
        schema = json.loads((SCHEMAS / f"{kind}.v1.json").read_text(encoding="utf-8"))
        jsonschema_rs.validator_for(schema).validate(event)
        assert event["data"]["no_penalty_grounds"] is True and event["data"]["incident_id"] == incident_id
        assert "张三" not in json.dumps(event, ensure_ascii=False)

    cases = f"{suite.urls['case_penalty']}/v1/cases"
    case = poll(lambda: [c for c in httpx.get(cases, headers=COMMANDER).json()
                         if c["case"]["mediation_id"] == mediation_id], timeout=30)
    assert case, "no case in case_penalty within 30 s"
    assert case[0]["case"]["incident_id"] == incident_id
    decided = on_topic(suite, "oneteam.cases", case[0]["case"]["id"].encode(), b"case.decided")
    schema = json.loads((SCHEMAS / "case.decided.v1.json").read_text(encoding="utf-8"))
    jsonschema_rs.validator_for(schema).validate(decided)
    assert decided["data"]["outcome"] == "no_penalty_mediated" and decided["data"]["fine_fen"] == 0


def test_a_broken_agreement_becomes_a_case_in_case_penalty(suite: Stack) -> None:
    opened = step(f"{suite.urls['mediation']}/v1/mediations", as_([Role.OFFICER], MEDIATOR),
                  {"origin": "walk_in", "category": "dispute"})
    mediation_id = opened["mediation"]["id"]
    mediate(suite, mediation_id, "broken")

    failed = on_topic(suite, "oneteam.handoffs", mediation_id.encode(), b"mediation.failed")
    assert failed["data"]["reason"] == "agreement_not_kept"
    cases = f"{suite.urls['case_penalty']}/v1/cases"
    case = poll(lambda: [c for c in httpx.get(cases, headers=COMMANDER).json()
                         if c["case"]["request_id"] == failed["data"]["request_id"]], timeout=30)
    assert case, "no case in case_penalty within 30 s"
    assert case[0]["case"]["origin"] == "mediation"
