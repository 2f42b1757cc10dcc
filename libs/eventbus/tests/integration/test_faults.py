"""Outages are waited out, not turned into dead letters; a refusing partition holds back only itself."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiokafka.errors import OutOfOrderSequenceNumber
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine

from oneteam_contracts import record_event_id
from oneteam_devstack.faults import TcpProxy
from oneteam_devstack.testing import Infra, read_topic
from oneteam_eventbus import EventConsumer, EventProducer, KafkaConfig, OutboxRelay, add_event
from oneteam_eventbus.outbox import PublishFailed
from oneteam_eventbus.producer import Message

from .conftest import effects_metadata
from .test_consumer import count_effect, effect_count, eventually
from .test_outbox import reported, unsent

pytestmark = pytest.mark.integration


class RefusingPartition(EventProducer):
    """A real producer whose broker refuses one key's partition, as after a broker restart.

    Until `restart()` is called `fatal_until_restart` times, messages with `bad_key` fail with
    the idempotent producer's OutOfOrderSequenceNumber; every other message goes to Kafka.
    """

    def __init__(self, config: KafkaConfig, bad_key: bytes, fatal_until_restart: int = 1) -> None:
        super().__init__(config)
        self.bad_key = bad_key
        self.restarts = 0
        self._needed = fatal_until_restart

    async def restart(self) -> None:
        await super().restart()
        self.restarts += 1

    async def send_many(self, messages: list[Message]) -> list[BaseException | None]:
        if self.restarts >= self._needed:
            return await super().send_many(messages)
        healthy = [m for m in messages if m[1] != self.bad_key]
        results = iter(await super().send_many(healthy))
        return [OutOfOrderSequenceNumber() if m[1] == self.bad_key else next(results) for m in messages]


async def test_refusing_partition_holds_back_only_its_own_events(
    engine: AsyncEngine, kafka: KafkaConfig,
) -> None:
    stuck, healthy = uuid.uuid4(), uuid.uuid4()
    sessions = async_sessionmaker(engine)
    async with sessions.begin() as session:
        await add_event(session, reported(stuck))
        await add_event(session, reported(healthy))
    producer = RefusingPartition(kafka, bad_key=str(stuck).encode(), fatal_until_restart=99)
    await producer.start()
    relay = OutboxRelay(engine, producer, service="test")
    try:
        for _ in range(3):  # the relay retrying while the partition keeps refusing
            with pytest.raises(PublishFailed):
                await relay.publish_pending()
    finally:
        await producer.stop()

    copies = await read_topic(kafka.bootstrap_servers, "oneteam.incidents", 2,
                              lambda r: r.key == str(healthy).encode(), timeout=3)
    assert len(copies) == 1, "an acknowledged event is not sent again"
    assert await unsent(engine) == 1, "the refused event waits in the outbox"


async def test_relay_recreates_a_producer_the_broker_no_longer_accepts(
    engine: AsyncEngine, kafka: KafkaConfig,
) -> None:
    incident_id = uuid.uuid4()
    async with async_sessionmaker(engine).begin() as session:
        await add_event(session, reported(incident_id))
    producer = RefusingPartition(kafka, bad_key=str(incident_id).encode())
    await producer.start()
    relay = OutboxRelay(engine, producer, service="test", poll_interval=0.05, stall_alarm=0.0)
    running = asyncio.create_task(relay.run())
    try:
        found = await read_topic(kafka.bootstrap_servers, "oneteam.incidents", 1,
                                 lambda r: r.key == str(incident_id).encode(), timeout=15)
    finally:
        relay.stop()
        await asyncio.wait_for(running, 10)
        await producer.stop()

    assert len(found) == 1
    assert producer.restarts == 1
    assert relay.health() is None, "a relay that publishes again is healthy"


async def test_publisher_that_cannot_publish_says_so(engine: AsyncEngine, kafka: KafkaConfig) -> None:
    incident_id = uuid.uuid4()
    async with async_sessionmaker(engine).begin() as session:
        await add_event(session, reported(incident_id))
    producer = RefusingPartition(kafka, bad_key=str(incident_id).encode(), fatal_until_restart=99)
    await producer.start()
    relay = OutboxRelay(engine, producer, service="test", poll_interval=0.05, max_backoff=0.2,
                        stall_alarm=0.5)
    running = asyncio.create_task(relay.run())
    try:
        await asyncio.sleep(1.5)
        health = relay.health()
    finally:
        relay.stop()
        await asyncio.wait_for(running, 10)
        await producer.stop()

    assert health is not None and "OutOfOrderSequenceNumber" in health


@pytest.fixture
async def proxied_engine(engine: AsyncEngine) -> AsyncIterator[tuple[AsyncEngine, TcpProxy]]:
    """The test database reached through a proxy the test can cut, as a database outage would."""
    url = make_url(str(engine.url.render_as_string(hide_password=False)))
    proxy = await TcpProxy(url.host or "127.0.0.1", url.port or 5432).start()
    through = create_async_engine(url.set(host="127.0.0.1", port=proxy.port), pool_pre_ping=True,
                                  connect_args={"timeout": 2})
    async with through.begin() as conn:
        await conn.run_sync(effects_metadata.create_all)
    yield through, proxy
    await proxy.stop()
    await through.dispose()


async def test_database_outage_longer_than_the_retry_budget_loses_no_event(
    proxied_engine: tuple[AsyncEngine, TcpProxy], engine: AsyncEngine, kafka: KafkaConfig,
    producer: EventProducer,
) -> None:
    through, proxy = proxied_engine
    consumer = EventConsumer(
        kafka, group_id=f"test-{uuid.uuid4().hex[:8]}", service="test",
        handlers={"incident.reported": count_effect}, sessions=async_sessionmaker(through),
        dead_letters=producer, max_attempts=3, backoff=0.1, max_pause=1.0,
    )
    await consumer.start()
    running = asyncio.create_task(consumer.run())
    events = [reported(uuid.uuid4()) for _ in range(6)]
    try:
        await eventually(lambda: _joined(consumer))
        await proxy.cut()
        for event in events:
            await producer.publish(event)
        await asyncio.sleep(4)  # three attempts at 0.1 s backoff would have spent the budget long ago
        await proxy.restore()
        for event in events:
            await eventually(lambda e=event: _handled(engine, e.subject), timeout=30)
    finally:
        await consumer.stop()
        await asyncio.wait_for(running, 10)

    ids = {str(e.id) for e in events}
    dead = await read_topic(kafka.bootstrap_servers, "oneteam.incidents.dlq", 1,
                            lambda r: record_event_id(r.headers, r.value) in ids, timeout=2)
    assert dead == [], "an outage is not the message's fault"
    assert [await effect_count(engine, e.subject) for e in events] == [1] * len(events)


async def _joined(consumer: EventConsumer) -> bool:
    return consumer.joined


async def _handled(engine: AsyncEngine, subject: Any) -> bool:
    return await effect_count(engine, subject) >= 1


async def test_dead_letters_replayed_into_their_group_are_handled_once(
    engine: AsyncEngine, kafka: KafkaConfig, producer: EventProducer,
) -> None:
    from oneteam_eventbus.replay import replay_dead_letters

    group = f"test-{uuid.uuid4().hex[:8]}"
    event = reported(uuid.uuid4())
    broken = True

    async def handler(session: Any, incoming: Any) -> None:
        if broken and incoming.id == event.id:  # the group reads older tests' events too
            raise KeyError("category missing from the responsibility list")
        await count_effect(session, incoming)

    consumer = EventConsumer(kafka, group_id=group, service="test", handlers={"incident.reported": handler},
                             sessions=async_sessionmaker(engine), dead_letters=producer,
                             max_attempts=2, backoff=0.05)
    await consumer.start()
    running = asyncio.create_task(consumer.run())
    try:
        await producer.publish(event)
        await read_topic(kafka.bootstrap_servers, "oneteam.incidents.dlq", 1,
                         lambda r: record_event_id(r.headers, r.value) == str(event.id))
        broken = False  # the operator fixed the cause
        first = await replay_dead_letters(kafka, "oneteam.incidents.dlq", group)
        again = await replay_dead_letters(kafka, "oneteam.incidents.dlq", group)
        await eventually(lambda: _handled(engine, event.subject))
        await asyncio.sleep(1)
    finally:
        await consumer.stop()
        await asyncio.wait_for(running, 10)

    # The group also read older tests' unreadable messages: those are dead-lettered again.
    assert str(event.id) in first.event_ids
    assert str(event.id) not in again.event_ids, "a second replay does not replay it again"
    assert await effect_count(engine, event.subject) == 1


async def test_restarted_member_gets_its_partitions_back_before_the_old_session_expires(
    engine: AsyncEngine, kafka: KafkaConfig, producer: EventProducer, infra: Infra,
) -> None:
    from dataclasses import replace

    if infra.embedded_broker:
        pytest.skip("the embedded Tansu broker has no static group membership; Apache Kafka has")
    # A long session makes the difference plain: a new member id would wait ~30 s for the
    # dead one to expire; the same static instance id takes its place at once.
    static = replace(kafka, group_instance_id=f"replica-{uuid.uuid4().hex[:6]}", session_timeout_ms=30000)
    group = f"test-{uuid.uuid4().hex[:8]}"

    def member() -> EventConsumer:
        return EventConsumer(static, group_id=group, service="test", handlers={"incident.reported": count_effect},
                             sessions=async_sessionmaker(engine), dead_letters=producer)

    first = member()
    await first.start()
    await eventually(lambda: _joined(first), timeout=30)
    await first.stop()  # a static member leaves no LeaveGroup behind: to the group it just went silent

    second = member()
    loop = asyncio.get_running_loop()
    began = loop.time()
    await second.start()
    running = asyncio.create_task(second.run())
    try:
        await eventually(lambda: _joined(second), timeout=30)
        rejoined_after = loop.time() - began
    finally:
        await second.stop()
        await asyncio.wait_for(running, 10)

    assert rejoined_after < 15, f"rejoined after {rejoined_after:.1f} s"


async def test_outage_looking_error_while_the_database_answers_is_dead_lettered(
    engine: AsyncEngine, kafka: KafkaConfig, producer: EventProducer,
) -> None:
    event = reported(uuid.uuid4())

    async def buggy(session: Any, incoming: Any) -> None:
        if incoming.id == event.id:  # a handler bug that looks like an outage
            raise ConnectionResetError("handler bug, not an outage")
        await count_effect(session, incoming)

    consumer = EventConsumer(kafka, group_id=f"test-{uuid.uuid4().hex[:8]}", service="test",
                             handlers={"incident.reported": buggy}, sessions=async_sessionmaker(engine),
                             dead_letters=producer, max_attempts=2, backoff=0.05)
    await consumer.start()
    running = asyncio.create_task(consumer.run())
    try:
        await producer.publish(event)
        dead = await read_topic(kafka.bootstrap_servers, "oneteam.incidents.dlq", 1,
                                lambda r: record_event_id(r.headers, r.value) == str(event.id))
    finally:
        await consumer.stop()
        await asyncio.wait_for(running, 10)

    assert len(dead) == 1, "the partition does not stall for ever on a bug"
