"""One report is one trace: intake's HTTP span, the event's traceparent, dispatch's consumer span
and the order dispatch publishes all share the report's trace id.

Intake and dispatch run in this process (real PostgreSQL and broker, as in the integration ring),
because the in-memory span exporter can only see spans of its own process.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from opentelemetry.trace import SpanKind

from oneteam_contracts import event_from_kafka
from oneteam_devstack.testing import Infra, read_topic, serve, service_settings
from oneteam_dispatch.config import DEMO_DIR
from oneteam_dispatch.main import build as build_dispatch
from oneteam_dispatch.settings import DispatchSettings
from oneteam_eventbus.tracing import capture_spans
from oneteam_intake.main import build as build_intake
from oneteam_intake.settings import IntakeSettings
from oneteam_servicekit import ServiceSettings
from oneteam_servicekit.auth import Role, issue_token

pytestmark = pytest.mark.integration
TENANT = "330106004"
SPOT = {"lon": 120.1240, "lat": 30.2880}
CALLER_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"


def _token(roles: list[Role], officer_id: str | None = None) -> dict[str, str]:
    jwt = issue_token(ServiceSettings(), f"test-{uuid.uuid4().hex[:6]}", roles, tenant=TENANT, officer_id=officer_id)
    return {"Authorization": f"Bearer {jwt}"}


@pytest.fixture
async def intake_and_dispatch(infra: Infra, tmp_path: Path) -> AsyncIterator[tuple[httpx.AsyncClient, Any]]:
    """Both services started in-process, each with its own database and consumer groups."""
    suffix = f".trace-{uuid.uuid4().hex[:8]}"
    intake = build_intake(IntakeSettings(**service_settings(infra, "intake"),  # type: ignore[arg-type]
                                         photos_dir=tmp_path, consumer_group_suffix=suffix))
    dispatch = build_dispatch(DispatchSettings(**service_settings(infra, "dispatch"),  # type: ignore[arg-type]
                                               config_dir=str(DEMO_DIR),
                                               batch_window_ms=50, matcher_poll_s=0.5,
                                               # Not the running suite's group: that dispatch, in another
                                               # process, could take the partition and the span with it.
                                               consumer_group_suffix=suffix))
    async with serve(intake) as intake_client, serve(dispatch) as dispatch_client:
        yield intake_client, dispatch_client


async def test_a_report_is_one_trace_from_intake_through_dispatch(
    intake_and_dispatch: tuple[httpx.AsyncClient, httpx.AsyncClient], infra: Infra,
) -> None:
    spans = capture_spans()
    intake, dispatch = intake_and_dispatch
    officer = f"trace-{uuid.uuid4().hex[:6]}"
    added = await dispatch.put(f"/v1/officers/{officer}", headers=_token([Role.ADMIN]),
                               json={"tenant": TENANT, "name": officer, "skills": ["street_order"], "position": SPOT})
    assert added.status_code == 200, added.text
    caller = f"00-{CALLER_TRACE}-00f067aa0ba902b7-01"  # a platform's gateway already traces the call

    accepted = await intake.post("/v1/reports", headers={"Idempotency-Key": str(uuid.uuid4()), "traceparent": caller},
                                 json={"tenant": TENANT, "category": "street_vending", "location": SPOT,
                                       "description": "流动摊贩占道经营"})
    assert accepted.status_code == 201, accepted.text
    incident_id = accepted.json()["incident_id"]

    orders = await read_topic(infra.bootstrap_servers, "oneteam.assignments", 1,
                              lambda r: r.key == incident_id.encode(), timeout=60)
    assert orders, "dispatch published nothing for the report within 60 s"
    order = event_from_kafka(orders[0].headers, orders[0].value)
    assert order is not None and order.type in {"assignment.created", "assignment.queued"}
    assert order.traceparent is not None and order.traceparent.split("-")[1] == CALLER_TRACE
    assert dict(orders[0].headers)["traceparent"] == order.traceparent.encode()

    def in_trace() -> list[Any]:
        return [s for s in spans.get_finished_spans() if format(s.context.trace_id, "032x") == CALLER_TRACE]

    def dispatch_consumed() -> list[Any]:
        return [s for s in in_trace() if s.kind is SpanKind.CONSUMER and s.name == "incident.reported process"
                and s.attributes is not None and "dispatch" in str(s.attributes["messaging.consumer.group.name"])]

    # The order read above may come from the running suite's dispatch (another process, an
    # older group). This one's group is new: it reads the topic from its first offset, so
    # after a long session (the Apache Kafka run) it first works through every earlier test's
    # incidents before it reaches this report; its span ends just after that commit.
    for _ in range(450):  # up to 90 s
        if dispatch_consumed():
            break
        await asyncio.sleep(0.2)
    kinds = {(s.kind, s.name) for s in in_trace()}
    assert (SpanKind.SERVER, "POST /v1/reports") in kinds
    consumed = dispatch_consumed()
    seen = sorted((kind.name, name) for kind, name in kinds)
    assert consumed, f"dispatch's handling of incident.reported is not in the report's trace: {seen}"
    reported = await read_topic(infra.bootstrap_servers, "oneteam.incidents", 1,
                                lambda r: r.key == incident_id.encode() and b"incident.reported" in r.value)
    assert json.loads(reported[0].value)["traceparent"].split("-")[1] == CALLER_TRACE
