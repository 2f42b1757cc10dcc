"""A service's own consumer machinery (inbox, group, commits, dead letters) works under its ACLs alone.

Runs where `ONETEAM_KAFKA_SECURE=1`, on the secured broker of `conftest.py` and the session's
embedded PostgreSQL.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from oneteam_contracts import GeoPoint, IncidentReported, Priority, ReportSource, new_event
from oneteam_contracts.kafka_binding import record_event_id
from oneteam_contracts.topics import INCIDENTS
from oneteam_devstack.testing import Infra
from oneteam_eventbus import EventConsumer, EventProducer, KafkaConfig, bus_metadata, ensure_topics

from .conftest import SecuredKafka

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(not os.environ.get("ONETEAM_KAFKA_SECURE"), reason="set ONETEAM_KAFKA_SECURE=1"),
]

# The free-text description may have left the public event; give it only while the field exists.
_TEXT: dict[str, Any] = {"description": ""} if "description" in IncidentReported.model_fields else {}


def _reported() -> Any:
    incident_id = uuid.uuid4()
    return new_event(IncidentReported(
        incident_id=incident_id, report_id=uuid.uuid4(), category="street_vending",
        source=ReportSource.CITIZEN_APP, priority=Priority.NORMAL,
        location=GeoPoint(lon=120.125, lat=30.29), reported_at=datetime.now(UTC), **_TEXT,
    ), source="intake", tenant="330106004", subject=str(incident_id))


@pytest.fixture
async def engine(infra: Infra) -> AsyncIterator[AsyncEngine]:
    engine = create_async_engine(infra.fresh_database("secured"))
    async with engine.begin() as conn:
        await conn.run_sync(bus_metadata.create_all)
    yield engine
    await engine.dispose()


async def _dead_letter_ids(admin: KafkaConfig, wanted: set[str], timeout: float = 30) -> set[str]:
    """Event ids among `wanted` found on oneteam.incidents.dlq (read as the admin, by hand)."""
    reader = AIOKafkaConsumer(bootstrap_servers=admin.bootstrap_servers, enable_auto_commit=False,
                              **admin.security())
    found: set[str] = set()
    try:
        await reader.start()
        partitions = [TopicPartition(f"{INCIDENTS.name}.dlq", p) for p in range(INCIDENTS.partitions)]
        reader.assign(partitions)
        await reader.seek_to_beginning(*partitions)
        deadline = asyncio.get_running_loop().time() + timeout
        while found != wanted and asyncio.get_running_loop().time() < deadline:
            batch = await reader.getmany(timeout_ms=500)
            for records in batch.values():
                for record in records:
                    event_id = record_event_id(record.headers, record.value)
                    if event_id in wanted:
                        found.add(event_id)
    finally:
        await reader.stop()
    return found


async def test_dispatch_handles_what_intake_publishes_and_dead_letters_a_poison_event(
        secured: SecuredKafka, engine: AsyncEngine) -> None:
    intake, dispatch = secured.config("intake"), secured.config("dispatch")
    await ensure_topics(dispatch)
    good, poison = _reported(), _reported()
    good_handled = asyncio.Event()

    async def handle(session: AsyncSession, event: Any) -> None:
        if event.id == poison.id:
            raise ValueError("a record this handler cannot take")
        if event.id == good.id:
            good_handled.set()

    publisher, dead_letters = EventProducer(intake), EventProducer(dispatch)
    await publisher.start()
    await dead_letters.start()
    consumer = EventConsumer(dispatch, group_id=f"dispatch.security-{uuid.uuid4().hex[:8]}", service="dispatch",
                             handlers={"incident.reported": handle}, sessions=async_sessionmaker(engine),
                             dead_letters=dead_letters, max_attempts=2, backoff=0.05)
    await consumer.start()
    running = asyncio.create_task(consumer.run())
    try:
        await publisher.publish(good)
        await publisher.publish(poison)
        await asyncio.wait_for(good_handled.wait(), 60)
        assert await _dead_letter_ids(secured.config("admin"), {str(poison.id)}) == {str(poison.id)}
    finally:
        await consumer.stop()
        await asyncio.wait_for(running, 10)
        await publisher.stop()
        await dead_letters.stop()
