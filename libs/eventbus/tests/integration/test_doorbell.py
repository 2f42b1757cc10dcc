"""Replicas' relays: an event committed where the relay does not lead is published promptly."""

from __future__ import annotations

import asyncio
import contextlib
import statistics
import uuid
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import event as sql_events
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine

from oneteam_contracts import record_event_id
from oneteam_devstack.testing import read_topic
from oneteam_eventbus import EventProducer, KafkaConfig, OutboxRelay, add_event, outbox

from .test_outbox import merged, reported, unsent

pytestmark = pytest.mark.integration

# Far longer than the doorbell needs, so an event that waited for the poll cannot pass.
POLL_S = 2.0


@pytest.fixture
async def second_engine(engine: AsyncEngine) -> AsyncIterator[AsyncEngine]:
    """Another replica's pool on the same database."""
    other = create_async_engine(engine.url)
    yield other
    await other.dispose()


async def until(condition: object, timeout: float = 10.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():  # type: ignore[operator]
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.02)


@contextlib.asynccontextmanager
async def leader_and_follower(engine: AsyncEngine, second_engine: AsyncEngine, producer: EventProducer,
                              poll_interval: float) -> AsyncIterator[tuple[OutboxRelay, OutboxRelay]]:
    """Two replicas' relays on one database: the first leads, the second has found its doorbell."""
    leader = OutboxRelay(engine, producer, service="test", poll_interval=poll_interval)
    follower = OutboxRelay(second_engine, producer, service="test", poll_interval=poll_interval)
    running = [asyncio.create_task(leader.run())]
    try:
        await until(lambda: leader.leading)
        running.append(asyncio.create_task(follower.run()))
        await until(lambda: follower.leader_bell is not None)
        yield leader, follower
    finally:
        for relay in (leader, follower):
            relay.stop()
        await asyncio.wait_for(asyncio.gather(*running), 10)


async def test_an_event_committed_by_a_follower_replica_is_published_well_before_the_poll(
    engine: AsyncEngine, second_engine: AsyncEngine, kafka: KafkaConfig, producer: EventProducer,
) -> None:
    incident_id = uuid.uuid4()
    events = [reported(incident_id)] + [merged(incident_id, n) for n in range(2, 21)]
    sessions = async_sessionmaker(second_engine)
    async with leader_and_follower(engine, second_engine, producer, POLL_S) as (_, follower):
        for event in events:  # as a request on the follower replica would: commit, then wake
            async with sessions.begin() as session:
                await add_event(session, event)
            follower.wake()
            await asyncio.sleep(0.05)
        found = await read_topic(kafka.bootstrap_servers, "oneteam.incidents", len(events),
                                 lambda r: r.key == str(incident_id).encode(), timeout=10)

    assert [record_event_id(r.headers, r.value) for r in found] == [str(e.id) for e in events]
    assert not follower.leading
    async with engine.connect() as conn:
        waits = [(sent - created).total_seconds() for created, sent in (await conn.execute(
            select(outbox.c.created_at, outbox.c.sent_at).where(outbox.c.event_id.in_([e.id for e in events]))
        )).all()]
    print(f"commit on follower -> published: median {statistics.median(waits) * 1000:.1f} ms, "
          f"max {max(waits) * 1000:.1f} ms (poll {POLL_S * 1000:.0f} ms)")
    assert max(waits) < POLL_S / 4, f"an event waited {max(waits):.3f} s: the leader was not rung"


async def test_only_a_ring_with_the_leaders_token_wakes_it(
    engine: AsyncEngine, second_engine: AsyncEngine, producer: EventProducer,
) -> None:
    quiet = 60.0  # no poll falls inside the test
    async with leader_and_follower(engine, second_engine, producer, quiet) as (_, follower):
        bell = follower.leader_bell
        assert bell is not None
        loop = asyncio.get_running_loop()
        stranger, _ = await loop.create_datagram_endpoint(asyncio.DatagramProtocol,
                                                           remote_addr=(bell.host, bell.port))
        try:
            async with async_sessionmaker(second_engine).begin() as session:
                await add_event(session, reported(uuid.uuid4()))
            stranger.sendto(b"0" * len(bell.token))
            await asyncio.sleep(0.5)
            unsent_after_stranger = await unsent(engine)
            follower.wake()
            await asyncio.sleep(0.5)
            unsent_after_ring = await unsent(engine)
        finally:
            stranger.close()

    assert unsent_after_stranger == 1, "a datagram without the leader's token made it publish"
    assert unsent_after_ring == 0, "the follower's ring did not make the leader publish"


async def test_a_follower_woken_by_its_commits_does_not_query_the_database_for_each(
    engine: AsyncEngine, second_engine: AsyncEngine, producer: EventProducer,
) -> None:
    statements: list[str] = []
    async with leader_and_follower(engine, second_engine, producer, POLL_S) as (_, follower):
        sql_events.listen(second_engine.sync_engine, "before_cursor_execute",
                          lambda _conn, _cursor, statement, *_: statements.append(statement))
        for _ in range(50):  # fifty commits' wakes within a second, as under load
            follower.wake()
            await asyncio.sleep(0.02)

    assert len(statements) <= 4, f"the follower queried {len(statements)} times: {statements[:3]}"
