"""The act half of 呼应为 across processes: a report in intake, dispatch's order, the officer's
finding of an enforcement matter, a case in case_penalty, a decision, and case.decided on Kafka."""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

import httpx
import pytest

from oneteam_devstack.stack import Stack
from oneteam_devstack.testing import read_topic
from oneteam_servicekit import ServiceSettings
from oneteam_servicekit.auth import Role, issue_token

from .test_walking_skeleton import COMMANDER, TENANT, poll

pytestmark = pytest.mark.e2e


def as_(roles: list[Role], officer_id: str | None = None) -> dict[str, str]:
    token = issue_token(ServiceSettings(), officer_id or "head-1", roles, tenant=TENANT, officer_id=officer_id)
    return {"Authorization": "Bearer " + token, "Idempotency-Key": str(uuid.uuid4())}


def step(url: str, headers: dict[str, str], body: dict[str, Any] | None = None) -> dict[str, Any]:
    response = httpx.post(url, json=body or {}, headers=headers)
    assert response.status_code in (200, 201), f"{url}: {response.status_code} {response.text}"
    return dict(response.json())


def test_an_enforcement_finding_becomes_a_case_whose_decision_reaches_kafka(suite: Stack) -> None:
    report = {"tenant": TENANT, "category": "street_vending", "description": "流动摊贩占道经营，多次劝离未果",
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
    me = as_([Role.OFFICER], officer_id)
    step(f"{dispatch}/v1/assignments/{order['id']}/acknowledge", me)
    step(f"{dispatch}/v1/assignments/{order['id']}/arrive", as_([Role.OFFICER], officer_id),
         {"reason": "GPS 信号弱，已在现场"})
    step(f"{dispatch}/v1/assignments/{order['id']}/report", as_([Role.OFFICER], officer_id),
         {"outcome": "needs_case", "photo_ids": ["photo-e2e-1"]})

    cases_url = f"{suite.urls['case_penalty']}/v1/cases"
    found = poll(lambda: [c for c in httpx.get(cases_url, headers=COMMANDER).json()
                          if c["case"]["incident_id"] == incident_id], timeout=30)
    assert found, "no case in case_penalty within 30 s"
    case_id = found[0]["case"]["id"]
    assert found[0]["case"]["officer_id"] == officer_id
    step(f"{cases_url}/{case_id}/filing", as_([Role.OFFICER], officer_id), {"filed": True, "reason": "事实清楚"})
    noticed = step(f"{cases_url}/{case_id}/notice", as_([Role.OFFICER], officer_id))
    recommended = noticed["recommendation"]
    step(f"{cases_url}/{case_id}/decision", as_([Role.DEPARTMENT_HEAD]),
         {"outcome": recommended["outcome"], "fine_fen": recommended["fine_fen"]})

    records = asyncio.run(read_topic(suite.bootstrap_servers, "oneteam.cases", 1,
                                     lambda r: r.key == case_id.encode() and b"case.decided" in r.value, 20))
    assert records, "case.decided did not reach oneteam.cases within 20 s"
    decided = json.loads(records[0].value)["data"]
    assert decided["outcome"] == recommended["outcome"] and decided["fine_fen"] == recommended["fine_fen"]
    assert decided["rule_codes"] == ["street_vending_unapproved"]
