"""The outbox: nothing lost between commit and publish, and one key's events stay in order."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from oneteam_contracts import (
    GeoPoint,
    IncidentMerged,
    IncidentReported,
    Priority,
    ReportSource,
    new_event,
    record_event_id,
)
from oneteam_devstack.testing import read_topic
from oneteam_eventbus import EventProducer, KafkaConfig, OutboxRelay, add_event, outbox
from oneteam_eventbus.outbox import add_event_rows, outbox_values

pytestmark = pytest.mark.integration

TENANT = "330106004"


def reported(incident_id: uuid.UUID) -> Any:
    return new_event(IncidentReported(
        incident_id=incident_id, report_id=uuid.uuid4(), category="street_vending",
        source=ReportSource.CITIZEN_APP, priority=Priority.NORMAL,
        location=GeoPoint(lon=120.125, lat=30.29), description="vendor on the pavement",
        reported_at=datetime.now(UTC),
    ), source="test", tenant=TENANT, subject=str(incident_id))


def merged(incident_id: uuid.UUID, count: int) -> Any:
    return new_event(IncidentMerged(
        incident_id=incident_id, report_id=uuid.uuid4(), source=ReportSource.GRID_WORKER,
        report_count=count, priority=Priority.NORMAL, merged_at=datetime.now(UTC),
    ), source="test", tenant=TENANT, subject=str(incident_id))


class CrashingProducer(EventProducer):
    """Acts like a relay process killed after the commit, before anything reached the broker."""

    async def send_many(self, messages: list[Any]) -> None:
        raise ConnectionResetError("relay killed")


async def unsent(engine: AsyncEngine) -> int:
    async with engine.connect() as conn:
        return int(await conn.scalar(select(func.count()).select_from(outbox).where(outbox.c.sent_at.is_(None)))
                   or 0)


async def test_event_committed_before_the_relay_dies_is_published_by_the_next_relay(
    engine: AsyncEngine, kafka: KafkaConfig, producer: EventProducer,
) -> None:
    event = reported(uuid.uuid4())
    async with async_sessionmaker(engine).begin() as session:
        await add_event(session, event)

    dying = OutboxRelay(engine, CrashingProducer(kafka), service="test")
    with pytest.raises(ConnectionResetError):
        await dying.publish_pending()
    assert await unsent(engine) == 1, "the event must survive the crash in the outbox"

    published = await OutboxRelay(engine, producer, service="test").publish_pending()

    assert published == 1
    assert await unsent(engine) == 0
    found = await read_topic(kafka.bootstrap_servers, "oneteam.incidents", 1,
                             lambda r: record_event_id(r.headers, r.value) == str(event.id))
    assert len(found) == 1
    assert found[0].key == str(event.data.incident_id).encode()
    assert json.loads(found[0].value)["type"] == "incident.reported"


async def test_events_of_one_incident_reach_the_topic_in_commit_order(
    engine: AsyncEngine, kafka: KafkaConfig, producer: EventProducer,
) -> None:
    incident_id = uuid.uuid4()
    events = [reported(incident_id)] + [merged(incident_id, n) for n in range(2, 60)]
    sessions = async_sessionmaker(engine)
    for event in events:  # one transaction per event, as separate requests would do
        async with sessions.begin() as session:
            await add_event(session, event)

    relay = OutboxRelay(engine, producer, service="test", batch_size=7)  # several batches
    while await relay.publish_pending():
        pass

    found = await read_topic(kafka.bootstrap_servers, "oneteam.incidents", len(events),
                             lambda r: r.key == str(incident_id).encode())
    assert [json.loads(r.value)["id"] for r in found] == [str(e.id) for e in events]
    assert len({r.partition for r in found}) == 1


async def test_events_staged_together_keep_their_order_and_their_bytes(
    engine: AsyncEngine, kafka: KafkaConfig, producer: EventProducer,
) -> None:
    incident_id = uuid.uuid4()
    events = [reported(incident_id)] + [merged(incident_id, n) for n in range(2, 40)]
    rows = [outbox_values(event) for event in events]
    async with async_sessionmaker(engine).begin() as session:  # one statement for them all
        await add_event_rows(session, rows)
        await add_event_rows(session, [])

    async with engine.connect() as conn:
        stored = (await conn.execute(select(outbox.c.event_id, outbox.c.key, outbox.c.headers, outbox.c.payload)
                                     .where(outbox.c.event_id.in_([e.id for e in events]))
                                     .order_by(outbox.c.seq))).all()
    assert [row.event_id for row in stored] == [e.id for e in events]
    assert [(row.key, row.headers, row.payload) for row in stored] == [
        (row["key"], row["headers"], row["payload"]) for row in rows]

    relay = OutboxRelay(engine, producer, service="test")
    while await relay.publish_pending():
        pass
    found = await read_topic(kafka.bootstrap_servers, "oneteam.incidents", len(events),
                             lambda r: r.key == str(incident_id).encode())
    assert [json.loads(r.value)["id"] for r in found] == [str(e.id) for e in events]


async def test_two_relays_on_one_database_publish_each_event_once(
    engine: AsyncEngine, kafka: KafkaConfig, producer: EventProducer,
) -> None:
    incident_id = uuid.uuid4()
    events = [reported(incident_id)] + [merged(incident_id, n) for n in range(2, 30)]
    relays = [OutboxRelay(engine, producer, service="test", poll_interval=0.05) for _ in range(2)]
    running = [asyncio.create_task(relay.run()) for relay in relays]
    sessions = async_sessionmaker(engine)
    for event in events:  # committed while both replicas' relays are running
        async with sessions.begin() as session:
            await add_event(session, event)
        for relay in relays:
            relay.wake()

    found = await read_topic(kafka.bootstrap_servers, "oneteam.incidents", len(events) + 1,
                             lambda r: r.key == str(incident_id).encode(), timeout=8)
    for relay in relays:
        relay.stop()
    await asyncio.wait_for(asyncio.gather(*running), 10)

    assert [record_event_id(r.headers, r.value) for r in found] == [str(e.id) for e in events]


class CountingRelay(OutboxRelay):
    """Counts the rounds it runs."""

    rounds = 0

    async def publish_pending(self) -> int:
        self.rounds += 1
        return await super().publish_pending()


async def test_a_busy_outbox_goes_out_in_rounds_at_most_one_gap_apart(
    engine: AsyncEngine, kafka: KafkaConfig, producer: EventProducer,
) -> None:
    incident_id = uuid.uuid4()
    events = [reported(incident_id)] + [merged(incident_id, n) for n in range(2, 40)]
    gap = 0.2
    # The poll alone would come after 30 s: whatever goes out before that was rung for.
    relay = CountingRelay(engine, producer, service="test", poll_interval=30, round_gap=gap)
    running = asyncio.create_task(relay.run())
    sessions = async_sessionmaker(engine)
    began = asyncio.get_running_loop().time()
    for event in events:  # a commit and a ring each, as a busy service's requests do
        async with sessions.begin() as session:
            await add_event(session, event)
        relay.wake()
    busy = asyncio.get_running_loop().time() - began
    found = await read_topic(kafka.bootstrap_servers, "oneteam.incidents", len(events) + 1,
                             lambda r: r.key == str(incident_id).encode(), timeout=8)
    assert [record_event_id(r.headers, r.value) for r in found] == [str(e.id) for e in events]
    assert relay.rounds <= 2 + busy / gap, f"{relay.rounds} rounds in {busy:.2f} s"

    # After a quiet spell a ring goes out at once, not a gap (or a poll) later.
    await asyncio.sleep(gap * 2)
    late = merged(incident_id, 99)
    async with sessions.begin() as session:
        await add_event(session, late)
    relay.wake()
    rung = asyncio.get_running_loop().time()
    await read_topic(kafka.bootstrap_servers, "oneteam.incidents", 1, lambda r: record_event_id(r.headers, r.value)
                     == str(late.id), timeout=8)
    assert asyncio.get_running_loop().time() - rung < 5
    relay.stop()
    await asyncio.wait_for(running, 10)
