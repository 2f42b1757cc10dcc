"""The consumer: one effect per event, bounded retries, dead letters that keep the original."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from oneteam_contracts import Envelope, kafka_headers, record_event_id, to_kafka
from oneteam_devstack.testing import read_topic
from oneteam_eventbus import EventConsumer, EventProducer, Handler, KafkaConfig

from .conftest import effects
from .test_outbox import reported

pytestmark = pytest.mark.integration


async def count_effect(session: AsyncSession, event: Envelope[Any]) -> None:
    """A handler with a visible effect: +1 on the event's subject."""
    statement = insert(effects).values(subject=event.subject, count=1)
    await session.execute(statement.on_conflict_do_update(
        index_elements=[effects.c.subject], set_={"count": effects.c.count + 1}))


async def effect_count(engine: AsyncEngine, subject: str) -> int:
    async with engine.connect() as conn:
        return int(await conn.scalar(select(effects.c.count).where(effects.c.subject == subject)) or 0)


@pytest.fixture
async def consume(kafka: KafkaConfig, engine: AsyncEngine, producer: EventProducer,
                  ) -> AsyncIterator[Callable[..., Any]]:
    """Start consumers with fresh groups running a handler for incident.reported; stops them after."""
    started: list[tuple[EventConsumer, asyncio.Task[None]]] = []

    async def start(handler: Handler, **options: Any) -> EventConsumer:
        consumer = EventConsumer(
            kafka, group_id=f"test-{uuid.uuid4().hex[:8]}", service="test",
            handlers={"incident.reported": handler}, sessions=async_sessionmaker(engine),
            dead_letters=producer, **options,
        )
        await consumer.start()
        started.append((consumer, asyncio.create_task(consumer.run())))
        return consumer

    yield start
    for consumer, task in started:
        await consumer.stop()
        await asyncio.wait_for(task, 10)


async def eventually(check: Callable[[], Any], timeout: float = 20.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not await check():
        if loop.time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.1)


async def test_redelivered_event_has_a_single_effect(
    consume: Any, producer: EventProducer, engine: AsyncEngine,
) -> None:
    event = reported(uuid.uuid4())
    await consume(count_effect)
    for _ in range(3):  # the broker handing the same event over again, e.g. after a relay re-send
        await producer.publish(event)

    await eventually(lambda: _at_least(engine, event.subject, 1))
    await asyncio.sleep(1.0)  # room for a wrong second effect to show up

    assert await effect_count(engine, event.subject) == 1


async def _at_least(engine: AsyncEngine, subject: str, n: int) -> bool:
    return await effect_count(engine, subject) >= n


async def test_poison_event_goes_to_the_dead_letter_topic_after_the_retry_budget(
    consume: Any, producer: EventProducer, engine: AsyncEngine, kafka: KafkaConfig,
) -> None:
    poison, healthy = reported(uuid.uuid4()), reported(uuid.uuid4())
    attempts: list[str] = []

    async def fails_on_poison(session: AsyncSession, event: Envelope[Any]) -> None:
        if event.id == poison.id:
            attempts.append(event.subject)
            raise RuntimeError("cannot handle this incident")
        await count_effect(session, event)

    await consume(fails_on_poison, max_attempts=3, backoff=0.05)
    await producer.publish(poison)
    await producer.publish(healthy)

    dead = await read_topic(kafka.bootstrap_servers, "oneteam.incidents.dlq", 1,
                            lambda r: record_event_id(r.headers, r.value) == str(poison.id))
    assert len(dead) == 1
    headers = dict(dead[0].headers)
    assert headers["dlq.error"] == b"cannot handle this incident"
    assert headers["dlq.attempts"] == b"3"
    assert json.loads(dead[0].value)["id"] == str(poison.id), "the original message is kept whole"
    assert len(attempts) == 3
    await eventually(lambda: _at_least(engine, healthy.subject, 1))
    assert await effect_count(engine, poison.subject) == 0, "failed attempts leave no effect"


async def test_unreadable_message_goes_to_the_dead_letter_topic_at_once(
    consume: Any, producer: EventProducer, kafka: KafkaConfig,
) -> None:
    marker = uuid.uuid4().hex.encode()
    await consume(count_effect)
    await producer.send_raw("oneteam.incidents", marker, b"{not json", [("ce_type", b"incident.reported")])

    dead = await read_topic(kafka.bootstrap_servers, "oneteam.incidents.dlq", 1, lambda r: r.key == marker)

    assert len(dead) == 1
    assert dead[0].value == b"{not json"
    assert dict(dead[0].headers)["dlq.attempts"] == b"1"


@pytest.mark.parametrize("form", ["binary", "structured", "wire 1"])
async def test_our_consumer_handles_records_in_every_form(
    consume: Any, producer: EventProducer, engine: AsyncEngine, form: str,
) -> None:
    event = reported(uuid.uuid4())
    if form == "wire 1":  # as producers wrote them before the binding: still on topics, still replayed
        key, value = str(event.data.incident_id).encode(), event.model_dump_json().encode()
        headers = kafka_headers(event)
    else:
        record = to_kafka(event, "binary" if form == "binary" else "structured")
        key, value, headers = record.key, record.value, record.headers
    await consume(count_effect)

    await producer.send_raw("oneteam.incidents", key, value, headers)

    await eventually(lambda: _at_least(engine, event.subject, 1))
    assert json.loads(value)  # the form really differs: binary carries data alone
    assert ("schemaversion" in json.loads(value)) == (form == "structured")


async def test_a_relaxed_group_polls_an_idle_broker_a_fraction_as_often_and_still_hears_events(
    consume: Any, producer: EventProducer, engine: AsyncEngine,
) -> None:
    fetches = await _prompt_and_relaxed(consume, producer, engine)
    await asyncio.sleep(3.0)  # nothing published: every fetch comes back empty after its wait

    idle = {name: count() for name, count in fetches.items()}
    assert 0 < idle["relaxed"] * 3 < idle["prompt"], idle
    then = reported(uuid.uuid4())
    await producer.publish(then)
    await eventually(lambda: _at_least(engine, then.subject, 2))  # one effect per group


async def test_a_relaxed_group_reads_a_stream_in_a_fraction_of_the_fetches(
    consume: Any, producer: EventProducer, engine: AsyncEngine,
) -> None:
    fetches = await _prompt_and_relaxed(consume, producer, engine)
    incident = uuid.uuid4()

    for _ in range(150):  # a steady stream, ~100 events a second for 1.5 s
        await producer.publish(reported(incident))
        await asyncio.sleep(0.01)
    await eventually(lambda: _at_least(engine, str(incident), 300))  # every event once per group

    read = {name: count() for name, count in fetches.items()}
    assert 0 < read["relaxed"] * 3 < read["prompt"], read


async def _prompt_and_relaxed(consume: Any, producer: EventProducer, engine: AsyncEngine,
                              ) -> dict[str, Callable[[], int]]:
    """A prompt and a relaxed group, both joined and caught up; their fetch counters from now on."""
    prompt = await consume(count_effect)
    relaxed = await consume(count_effect, prompt=False)
    first = reported(uuid.uuid4())
    await producer.publish(first)
    await eventually(lambda: _at_least(engine, first.subject, 2))
    return {"prompt": _count_fetches(prompt), "relaxed": _count_fetches(relaxed)}


def _count_fetches(consumer: EventConsumer) -> Callable[[], int]:
    """Counts the fetch requests the consumer's client sends from now on."""
    client = consumer._consumer._client  # aiokafka's own client: the only place requests pass
    sent = {"fetches": 0}
    send = client.send

    async def counting(node_id: int, request: Any, **options: Any) -> Any:
        if type(request).__name__.startswith("FetchRequest"):
            sent["fetches"] += 1
        return await send(node_id, request, **options)

    client.send = counting
    return lambda: sent["fetches"]
