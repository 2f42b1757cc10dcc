"""The consumer's batch mode: a fetch in one transaction and one handler call, each event still once."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from oneteam_contracts import Envelope
from oneteam_devstack.testing import read_topic
from oneteam_eventbus import EventConsumer, EventProducer, KafkaConfig
from oneteam_eventbus.consumer import BatchHandler

from .test_consumer import count_effect, effect_count, eventually
from .test_outbox import reported

pytestmark = pytest.mark.integration


@pytest.fixture
async def consume_batches(kafka: KafkaConfig, engine: AsyncEngine, producer: EventProducer,
                          ) -> AsyncIterator[Callable[..., Any]]:
    """Start a consumer of a fresh group with a batch handler (and the one-by-one handler beside it)."""
    started: list[tuple[EventConsumer, asyncio.Task[None]]] = []

    async def start(batch_handler: BatchHandler, **options: Any) -> EventConsumer:
        consumer = EventConsumer(
            kafka, group_id=f"test-{uuid.uuid4().hex[:8]}", service="test",
            handlers={"incident.reported": count_effect}, sessions=async_sessionmaker(engine),
            dead_letters=producer, batch_handler=batch_handler, **options)
        await consumer.start()
        started.append((consumer, asyncio.create_task(consumer.run())))
        return consumer

    yield start
    for consumer, task in started:
        await consumer.stop()
        await asyncio.wait_for(task, 10)


async def test_a_fetch_of_many_events_is_one_handler_call_and_a_redelivered_event_counts_once(
        consume_batches: Any, producer: EventProducer, engine: AsyncEngine) -> None:
    events = [reported(uuid.uuid4()) for _ in range(40)]
    for event in events:
        await producer.publish(event)
    for _ in range(2):
        await producer.publish(events[0])  # handed over again, in the same fetch or a later one
    calls: list[int] = []

    async def count_all(session: AsyncSession, batch: list[Envelope[Any]]) -> None:
        calls.append(len(batch))
        for event in batch:
            await count_effect(session, event)

    await consume_batches(count_all)
    await eventually(lambda: _all_counted(engine, events))
    await asyncio.sleep(1.0)  # room for a wrong second effect to show up

    assert [await effect_count(engine, e.subject) for e in events] == [1] * len(events)
    assert max(calls) > 1, "the events were handled one call each"


async def test_a_batch_that_fails_is_handled_one_by_one_so_only_the_poison_goes_to_the_dead_letters(
        consume_batches: Any, producer: EventProducer, engine: AsyncEngine, kafka: KafkaConfig) -> None:
    poison, healthy = reported(uuid.uuid4()), [reported(uuid.uuid4()) for _ in range(5)]

    async def fails_with_poison(session: AsyncSession, batch: list[Envelope[Any]]) -> None:
        for event in batch:
            await count_effect(session, event)  # rolled back with the batch
        if any(event.id == poison.id for event in batch):
            raise RuntimeError("cannot handle this incident")

    async def fails_on_poison(session: AsyncSession, event: Envelope[Any]) -> None:
        if event.id == poison.id:
            raise RuntimeError("cannot handle this incident")
        await count_effect(session, event)

    consumer = await consume_batches(fails_with_poison, max_attempts=2, backoff=0.05)
    consumer._handlers["incident.reported"] = fails_on_poison  # the one-by-one path's handler
    for event in [healthy[0], poison, *healthy[1:]]:
        await producer.publish(event)

    dead = await read_topic(kafka.bootstrap_servers, "oneteam.incidents.dlq", 1,
                            lambda r: str(poison.id).encode() in b"".join([r.value, *(v for _, v in r.headers)]))
    assert len(dead) == 1
    await eventually(lambda: _all_counted(engine, healthy))
    assert [await effect_count(engine, e.subject) for e in healthy] == [1] * len(healthy)
    assert await effect_count(engine, poison.subject) == 0


async def _all_counted(engine: AsyncEngine, events: list[Envelope[Any]]) -> bool:
    return all([await effect_count(engine, e.subject) >= 1 for e in events])
