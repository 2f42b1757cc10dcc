"""Rebuild from history: drop the read model and replay every topic from its beginning.

The next generation's consumer group is new to the broker, so it starts at the earliest
offset of every partition (the event bus's auto_offset_reset), and its inbox is empty. The
command returns once that group has committed up to where the topics ended when it began.
Run it with the service stopped (a running one keeps its old group); start it again after.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from aiokafka import AIOKafkaConsumer, TopicPartition
from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import insert

from oneteam_contracts import spec_for
from oneteam_evaluation.handlers import group_name, subscriptions
from oneteam_evaluation.runtime import MIGRATIONS, EvaluationRuntime, generation
from oneteam_evaluation.settings import EvaluationSettings
from oneteam_evaluation.store.tables import READ_MODEL, state
from oneteam_eventbus import ensure_topics, inbox
from oneteam_servicekit import migrations
from oneteam_servicekit.clock import Clock, SystemClock

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Rebuilt:
    """What a rebuild did."""

    generation: int
    records: int  # end offsets summed over the partitions when it began


async def rebuild(settings: EvaluationSettings, clock: Clock | None = None, timeout_s: float = 3600) -> Rebuilt:
    """Empty the read model, move to the next generation and replay until caught up."""
    if settings.run_migrations:
        await migrations.upgrade(MIGRATIONS, settings.database_url)
    runtime = EvaluationRuntime(settings.model_copy(update={"run_migrations": False, "consume": True}), MIGRATIONS,
                                clock=clock or SystemClock())
    async with runtime.transaction() as session:
        following = await generation(session) + 1
        for table in READ_MODEL:
            await session.execute(delete(table))
        await session.execute(delete(inbox).where(inbox.c.consumer_group.like("evaluation.read-model.%")))
        await session.execute(insert(state).values(name="read_model", generation=following)
                              .on_conflict_do_update(index_elements=["name"], set_={"generation": following}))
    topics = {spec_for(t).topic for s in subscriptions(following) for t in s.handlers}
    await ensure_topics(settings.kafka())  # a topic nobody wrote to yet would leave its end offset unanswered
    ends = await _end_offsets(settings.kafka_bootstrap_servers,
                              [TopicPartition(t.name, p) for t in topics for p in range(t.partitions)])
    await runtime.start()
    try:
        await asyncio.wait_for(_caught_up(settings.kafka_bootstrap_servers, group_name(following), ends), timeout_s)
    finally:
        await runtime.stop()
    log.info("read model rebuilt as generation %d from %d records", following, sum(ends.values()))
    return Rebuilt(following, sum(ends.values()))


async def _end_offsets(bootstrap: str, partitions: list[TopicPartition]) -> dict[TopicPartition, int]:
    reader = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await reader.start()
    try:
        reader.assign(partitions)  # so the client learns these topics' leaders before asking them
        ends: dict[TopicPartition, int] = await reader.end_offsets(partitions)
        return {tp: end for tp, end in ends.items() if end > 0}
    finally:
        await reader.stop()


async def _caught_up(bootstrap: str, group: str, ends: dict[TopicPartition, int]) -> None:
    # Committed offsets move only after the handlers' transactions committed, so reaching
    # the ends means every event that existed at the start is in the read model.
    watcher = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False)
    await watcher.start()
    try:
        waiting = dict(ends)
        while waiting:
            for tp, end in list(waiting.items()):
                if (await watcher.committed(tp) or 0) >= end:
                    del waiting[tp]
            if waiting:
                await asyncio.sleep(0.5)
    finally:
        await watcher.stop()

