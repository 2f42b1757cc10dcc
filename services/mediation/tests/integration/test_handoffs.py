"""mediation.requested from dispatch opens one mediation, however often delivered; other tenants see nothing.

In a module of its own: the mediation started here must be the only member of its consumer group.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer

from oneteam_contracts import GeoPoint, MediationRequested
from oneteam_devstack.testing import Infra, serve
from oneteam_servicekit.auth import Role

from .conftest import COMMANDER, OTHER_TENANT, build_app, events, eventually, publish, settings, token

pytestmark = pytest.mark.integration


async def test_a_mediation_request_opens_one_mediation_under_redelivery_and_a_repeated_request(
        infra: Infra, producer: AIOKafkaProducer) -> None:
    request = MediationRequested(request_id=uuid.uuid4(), incident_id=uuid.uuid4(), assignment_id=uuid.uuid4(),
                                 category="dispute", location=GeoPoint(lon=120.12, lat=30.29), officer_id="cy-019",
                                 notes="邻里因噪音争吵", requested_at=datetime.now(UTC))
    async with serve(build_app(settings(infra, background=False))) as client:
        async def mine() -> list[dict[str, Any]]:
            listed = (await client.get("/v1/mediations", headers=COMMANDER)).json()
            return [m for m in listed if m["mediation"]["incident_id"] == str(request.incident_id)]

        event = await publish(producer, request)
        await publish(producer, request, event=event)  # the same event again: a redelivery
        await publish(producer, request)  # the same request in a new event: a producer's retry
        assert await eventually(mine)
        await asyncio.sleep(2)  # time for any duplicate to land
        found = await mine()
        other = await client.get("/v1/mediations", headers=token([Role.COMMANDER], tenant=OTHER_TENANT))
        probe = await client.get(f"/v1/mediations/{found[0]['mediation']['id']}",
                                 headers=token([Role.COMMANDER], tenant=OTHER_TENANT))
        # Read while the service runs: its relay publishes what the handler wrote to the outbox.
        opened = await events(infra, "oneteam.mediations", found[0]["mediation"]["id"], timeout=15)

    assert len(found) == 1
    m = found[0]["mediation"]
    assert m["origin"] == "request" and m["skill"] == "neighbour" and m["state"] == "open"
    assert m["request_id"] == str(request.request_id)
    assert m["handoff_notes"] == "邻里因噪音争吵"  # kept for the command centre, never on a topic
    assert [e["type"] for e in opened] == ["mediation.opened"]
    assert "notes" not in opened[0]["data"]
    assert other.status_code == 200 and other.json() == []
    assert probe.status_code == 404

