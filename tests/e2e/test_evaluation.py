"""The figures across processes: a report through intake and dispatch, the officer acting, the reporter
rating, and the evaluation service counting that incident in 1-3-5-8, front-line resolution, on-time
closure and satisfaction — checked through the explanation endpoint, since other tests' incidents
share the tenant's figures."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from oneteam_devstack.stack import Stack
from oneteam_servicekit.auth import Role

from .test_case_path import as_, step
from .test_walking_skeleton import COMMANDER, TENANT, poll

pytestmark = pytest.mark.e2e


def counted(suite: Stack, kpi: str, incident_id: str) -> Any:
    """Whether the incident is in `kpi`'s numerator today (None while it is not counted at all)."""
    today = datetime.now(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%d")
    answer = httpx.get(f"{suite.urls['evaluation']}/v1/tenants/{TENANT}/kpis/{kpi}/explain",
                       params={"label": today}, headers=COMMANDER)
    assert answer.status_code == 200, answer.text
    return next((item["in_numerator"] for item in answer.json()["items"] if item["ref"] == incident_id), None)


def test_a_report_handled_on_site_and_rated_counts_in_the_figures(suite: Stack) -> None:
    report = {"tenant": TENANT, "category": "street_vending", "description": "流动摊贩占道经营",
              "location": {"lon": 120.1255, "lat": 30.2893}}
    accepted = httpx.post(f"{suite.urls['intake']}/v1/reports", json=report,
                          headers={"Idempotency-Key": str(uuid.uuid4())})
    assert accepted.status_code == 201, accepted.text
    receipt = accepted.json()
    incident_id = receipt["incident_id"]
    dispatch = suite.urls["dispatch"]
    orders = poll(lambda: httpx.get(f"{dispatch}/v1/assignments", params={"incident_id": incident_id},
                                    headers=COMMANDER).json())
    assert orders, "no order in dispatch within 15 s"
    order, officer_id = orders[0], orders[0]["officer_ids"][0]
    for action, body in (("acknowledge", None), ("arrive", {"reason": "GPS 信号弱，已在现场"}),
                         ("report", {"outcome": "resolved_on_site"})):
        step(f"{dispatch}/v1/assignments/{order['id']}/{action}", as_([Role.OFFICER], officer_id), body)

    def rate() -> bool:
        answer = httpx.post(f"{suite.urls['intake']}/v1/reports/{receipt['report_id']}/feedback",
                            json={"rating": "basically_satisfied"},
                            headers={"X-Report-Token": receipt["status_token"]})
        return answer.status_code in (200, 201)

    assert poll(rate, timeout=30), "intake did not take the rating after closure within 30 s"

    for kpi in ("acknowledged", "arrived", "reported", "front_line_resolution", "on_time_closure", "satisfaction"):
        assert poll(lambda kpi=kpi: counted(suite, kpi, incident_id), timeout=30), f"{kpi}: not counted as met"
