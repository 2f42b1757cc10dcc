"""Hand-offs in: case.requested and mediation.failed each open one case, however often delivered.

In a module of its own: the case-penalty started here must be the only member of its consumer group.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer

from oneteam_contracts import CaseRequested, GeoPoint, MediationFailed, MediationFailure
from oneteam_devstack.testing import Infra, serve

from .conftest import COMMANDER, build_app, case_events, case_settings, publish

pytestmark = pytest.mark.integration


async def cases_for(client: Any, incident_id: str, want: int, timeout: float = 30.0) -> list[dict[str, Any]]:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    found: list[dict[str, Any]] = []
    while loop.time() < deadline:
        listed = (await client.get("/v1/cases", headers=COMMANDER)).json()
        found = [c for c in listed if c["case"]["incident_id"] == incident_id]
        if len(found) >= want:
            return found
        await asyncio.sleep(0.2)
    return found


async def test_a_case_request_opens_one_case_under_redelivery_and_a_repeated_request(
        infra: Infra, producer: AIOKafkaProducer) -> None:
    incident_id = uuid.uuid4()
    request = CaseRequested(request_id=uuid.uuid4(), incident_id=incident_id, assignment_id=uuid.uuid4(),
                            category="street_vending", department="comprehensive_enforcement",
                            location=GeoPoint(lon=120.12, lat=30.29), officer_id="o-17", photo_ids=["p-1"],
                            requested_at=datetime.now(UTC))
    failed = MediationFailed(request_id=uuid.uuid4(), mediation_id=uuid.uuid4(), incident_id=uuid.uuid4(),
                             category="shop_encroachment", reason=MediationFailure.AGREEMENT_NOT_KEPT,
                             failed_at=datetime.now(UTC))
    async with serve(build_app(case_settings(infra, background=False))) as client:
        event = await publish(producer, request)
        await publish(producer, request, event=event)  # the same event again: a redelivery
        await publish(producer, request)  # the same request in a new event: a producer's retry
        await publish(producer, failed, source="mediation")
        found = await cases_for(client, str(incident_id), 1)
        mediated = await cases_for(client, str(failed.incident_id), 1)
        await asyncio.sleep(2)  # time for any duplicate to land
        found = await cases_for(client, str(incident_id), 2, timeout=0.5)

    assert len(found) == 1
    case = found[0]["case"]
    assert case["origin"] == "request" and case["officer_id"] == "o-17"
    assert case["item_codes"] == ["street_vending_unapproved"] and case["evidence"][0]["ref"] == "p-1"
    assert mediated[0]["case"]["origin"] == "mediation"
    opened = await case_events(infra, case["id"], "case.opened")
    assert len(opened) == 1 and opened[0]["data"]["request_id"] == str(request.request_id)
