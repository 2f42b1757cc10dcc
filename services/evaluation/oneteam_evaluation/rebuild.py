"""Rebuild from history: drop the read model and replay every topic from its beginning.

The replay reads every partition by explicit offsets, from its first record to where it ended
when the rebuild began (and on, until nothing more comes), and writes a batch of events per
transaction, merged in memory and written with one upsert per table: every merge rule of the
read model gives the same row whatever the order and however often an event is applied, so
batching changes nothing but the speed. Then the next
generation's consumer group (new to the broker, with an empty inbox) is given the offsets where
the replay stopped, and the service, restarted, consumes on from there. A service left running
meanwhile keeps its old group and goes on applying events the replay applies too: harmless, by
the same idempotence. If a rebuild stops half-way, the service's new group starts at the
beginning instead, and the same merges bring the read model to the same state, only more slowly.
"""

from __future__ import annotations

import asyncio
import gc
import logging
from dataclasses import dataclass
from typing import Any

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from sqlalchemy import delete, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from oneteam_contracts import Envelope, event_from_kafka, spec_for
from oneteam_evaluation.handlers import apply, group_name, subscriptions
from oneteam_evaluation.runtime import MIGRATIONS, day_marks, generation
from oneteam_evaluation.settings import EvaluationSettings
from oneteam_evaluation.store.tables import DERIVED, READ_MODEL, state
from oneteam_eventbus import KafkaConfig, ensure_topics, inbox
from oneteam_servicekit import migrations
from oneteam_servicekit.db import make_engine, make_sessions

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Rebuilt:
    """What a rebuild did."""

    generation: int
    events: int  # events applied to the read model
    skipped: int  # records of other types, and records that do not parse (the live consumer dead-letters those)


async def rebuild(settings: EvaluationSettings, timeout_s: float = 3600, batch: int = 500) -> Rebuilt:
    """Empty the read model, move to the next generation, replay to the topics' current ends."""
    gc.freeze()  # a million parsed events set off full collections over every imported object: spare them
    if settings.run_migrations:
        await migrations.upgrade(MIGRATIONS, settings.database_url)
    engine = make_engine(settings.database_url)
    try:
        sessions = make_sessions(engine)
        async with sessions.begin() as session:
            following = await _next_generation(session)
        wanted = {t for s in subscriptions(following) for t in s.handlers}
        kafka = settings.kafka()
        await ensure_topics(kafka)  # a topic nobody wrote to yet would leave its end unanswered
        topics = {spec_for(t).topic for t in wanted}
        ends = await _end_offsets(kafka, [TopicPartition(t.name, p) for t in topics for p in range(t.partitions)])
        positions, applied, skipped = await asyncio.wait_for(_replay(kafka, sessions, ends, wanted, batch),
                                                             timeout_s)
        async with sessions.begin() as session:  # the days to settle: every day of the replayed facts
            await day_marks(settings).touch_all(session)
        await _hand_over(kafka, group_name(following), positions)
    finally:
        await engine.dispose()
    log.info("read model rebuilt as generation %d: %d events applied, %d records skipped", following, applied, skipped)
    return Rebuilt(following, applied, skipped)


async def _next_generation(session: AsyncSession) -> int:
    following = await generation(session) + 1
    for table in READ_MODEL:
        await session.execute(delete(table))
    for table in DERIVED:  # all tenants' settled days go with the facts: emptied at once
        await session.execute(text(f"TRUNCATE {table.name}"))
    await session.execute(delete(inbox).where(inbox.c.consumer_group.like("evaluation.read-model.%")))
    await session.execute(insert(state).values(name="read_model", generation=following)
                          .on_conflict_do_update(index_elements=["name"], set_={"generation": following}))
    return following


def _client(kafka: KafkaConfig, **options: Any) -> AIOKafkaConsumer:
    # Signed in as the service, so the rebuild works on a secured broker too.
    return AIOKafkaConsumer(bootstrap_servers=kafka.bootstrap_servers, client_id=f"{kafka.client_id}-rebuild",
                            enable_auto_commit=False, **kafka.security(), **options)


async def _end_offsets(kafka: KafkaConfig, partitions: list[TopicPartition]) -> dict[TopicPartition, int]:
    reader = _client(kafka)
    await reader.start()
    try:
        reader.assign(partitions)  # so the client learns these topics' leaders before asking them
        ends: dict[TopicPartition, int] = await reader.end_offsets(partitions)
        return ends
    finally:
        await reader.stop()


async def _replay(kafka: KafkaConfig, sessions: async_sessionmaker[AsyncSession], ends: dict[TopicPartition, int],
                  wanted: set[str], batch: int) -> tuple[dict[TopicPartition, int], int, int]:
    """Apply every record up to the ends and on until nothing more comes; where each partition stopped."""
    reader = _client(kafka, max_poll_records=batch)
    await reader.start()
    applied = skipped = 0
    try:
        partitions = list(ends)
        reader.assign(partitions)
        await reader.seek_to_beginning(*partitions)
        short = {tp: end for tp, end in ends.items() if end > 0}  # partitions not yet read to their end
        while True:
            fetched = await reader.getmany(*partitions, timeout_ms=500, max_records=batch)
            # Past the ends, read on until a fetch comes back empty: a broker may report an end
            # below its last record (the embedded one does, by batch), and anything published
            # meanwhile is as well applied now as by the service's group later.
            if not fetched and not short:
                break
            events: list[Envelope[Any]] = []
            for tp, records in fetched.items():
                for record in records:
                    event = _event(record, wanted)
                    if event is None:
                        skipped += 1
                    else:
                        events.append(event)
                if records and records[-1].offset + 1 >= short.get(tp, 0):
                    short.pop(tp, None)
            if events:
                async with sessions.begin() as session:
                    await apply(session, events)  # unmarked: touch_all marks the days at the end
                applied += len(events)
        positions = {tp: await reader.position(tp) for tp in partitions}
    finally:
        await reader.stop()
    return positions, applied, skipped


def _event(record: ConsumerRecord[bytes, bytes], wanted: set[str]) -> Envelope[Any] | None:
    # Records of other types are skipped before validation (event_from_kafka reads the type first).
    try:
        return event_from_kafka(record.headers, record.value, wanted=wanted)
    except ValueError as error:  # json.JSONDecodeError and pydantic's ValidationError among them
        log.warning("%s[%d]@%d skipped: %s", record.topic, record.partition, record.offset, error)
        return None


async def _hand_over(kafka: KafkaConfig, group: str, positions: dict[TopicPartition, int]) -> None:
    # The new group starts where the replay stopped; nobody is in it yet, so the commit is
    # the group's first (what `kafka-consumer-groups --reset-offsets` does).
    committer = _client(kafka, group_id=group)
    await committer.start()
    try:
        committer.assign(list(positions))
        await committer.commit(dict(positions))
    finally:
        await committer.stop()
