"""A report goes into intake, crosses Kafka, and comes out of dispatch as an assignment."""

from __future__ import annotations

import time
import uuid
from typing import Any

import httpx
import pytest

from oneteam_devstack.stack import Stack
from oneteam_servicekit import ServiceSettings
from oneteam_servicekit.auth import Role, issue_token

pytestmark = pytest.mark.e2e

TENANT = "330106004"
COMMANDER = {"Authorization": "Bearer " + issue_token(ServiceSettings(), "commander-1", [Role.COMMANDER],
                                                      tenant=TENANT)}


def poll(fetch: Any, timeout: float = 15.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = fetch()
        if found:
            return found
        time.sleep(0.1)
    return None


def test_report_to_intake_becomes_an_assignment_in_dispatch(suite: Stack) -> None:
    report = {"tenant": TENANT, "category": "street_vending", "description": "流动摊贩占道经营",
              "location": {"lon": 120.1262, "lat": 30.2905}}

    accepted = httpx.post(f"{suite.urls['intake']}/v1/reports", json=report,
                          headers={"Idempotency-Key": str(uuid.uuid4())})
    assert accepted.status_code == 201, accepted.text
    incident_id = accepted.json()["incident_id"]

    assignments = poll(lambda: httpx.get(f"{suite.urls['dispatch']}/v1/assignments",
                                         params={"incident_id": incident_id}, headers=COMMANDER).json())

    assert assignments, "no assignment appeared in dispatch within 15 s"
    assert assignments[0]["incident_id"] == incident_id
    assert assignments[0]["officer_id"] or assignments[0].get("officer_ids")


def test_reporter_sees_the_incident_assigned(suite: Stack) -> None:
    report = {"tenant": TENANT, "category": "e_bike_parking", "description": "电动车乱停放堵塞消防通道",
              "location": {"lon": 120.1201, "lat": 30.2851}}
    accepted = httpx.post(f"{suite.urls['intake']}/v1/reports", json=report).json()

    status = poll(lambda: httpx.get(f"{suite.urls['intake']}/v1/reports/{accepted['report_id']}")
                  .json()["status"] == "assigned")

    assert status, "intake did not learn of the assignment within 15 s"


def test_every_service_reports_ready_with_its_dependencies(suite: Stack) -> None:
    for name, url in suite.urls.items():
        ready = httpx.get(f"{url}/readyz")
        assert ready.status_code == 200, f"{name}: {ready.text}"
