"""A running service's parts — database, producer, outbox relay, consumers — and their life."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from oneteam_eventbus import EventConsumer, EventProducer, Handler, OutboxRelay, ensure_topics
from oneteam_eventbus.consumer import BatchHandler
from oneteam_servicekit import idempotency, migrations
from oneteam_servicekit.db import make_engine, make_sessions
from oneteam_servicekit.settings import ServiceSettings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Subscription:
    """One consumer group of a service: which message types it handles, and how.

    With a `batch_handler`, a fetch's events are handled in one transaction by one call
    (a read model merging rows in bulk); `handlers` still name the types and are the
    record-by-record path the consumer falls back to when a batch fails. `max_records` bounds
    a fetch, and so a batch's transaction. A group that is not `prompt` (nobody waits on it
    within seconds) lets the broker hold a fetch for longer, until it has gathered a batch worth
    a transaction: it polls a tenth as often, and reads a stream in a few fetches a second.
    """

    group: str
    handlers: Mapping[str, Handler]
    batch_handler: BatchHandler | None = None
    max_records: int = 200
    prompt: bool = True


@dataclass
class Runtime:
    """Everything a route or handler needs at run time, built from settings."""

    settings: ServiceSettings
    migrations_dir: Path
    subscriptions: list[Subscription] = field(default_factory=list)
    on_start: list[Callable[[Runtime], Awaitable[None]]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.engine = make_engine(self.settings.database_url, pool_size=self.settings.db_pool_size,
                                  max_overflow=self.settings.db_max_overflow,
                                  pool_timeout=self.settings.db_pool_timeout_s)
        self.sessions = make_sessions(self.engine)
        self.producer = EventProducer(self.settings.kafka())
        self.relay = OutboxRelay(self.engine, self.producer, service=self.settings.service_name,
                                 round_gap=self.settings.outbox_round_gap_ms / 1000)
        self.consumers: list[tuple[EventConsumer, asyncio.Task[None]]] = []
        self._relay_task: asyncio.Task[None] | None = None
        self._purge_task: asyncio.Task[None] | None = None

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A session in one transaction; on commit the outbox relay is woken at once."""
        async with self.sessions.begin() as session:
            yield session
        self.relay.wake()

    async def start(self) -> None:
        """Migrate, connect, create topics, then start the relay and the consumers."""
        if self.settings.run_migrations:
            await migrations.upgrade(self.migrations_dir, self.settings.database_url)
        kafka = self.settings.kafka()
        await _retrying("broker", lambda: ensure_topics(kafka))
        await _retrying("producer", self.producer.start)
        self._relay_task = asyncio.create_task(self.relay.run(), name="outbox-relay")
        retention = timedelta(hours=self.settings.idempotency_retention_hours)
        self._purge_task = asyncio.create_task(idempotency.purge_periodically(self.sessions, retention),
                                               name="idempotency-purge")
        for subscription in self.subscriptions:
            consumer = EventConsumer(
                kafka, group_id=subscription.group, service=self.settings.service_name,
                handlers=subscription.handlers, sessions=self.sessions, dead_letters=self.producer,
                after_commit=self.relay.wake, batch_handler=subscription.batch_handler,
                max_records=subscription.max_records,
                prompt=subscription.prompt,
            )
            await consumer.start()
            self.consumers.append((consumer, asyncio.create_task(_supervised(consumer), name=subscription.group)))
        for hook in self.on_start:
            await hook(self)

    async def stop(self) -> None:
        """Stop consumers (committing what they finished), the relay, the producer, the pool."""
        for consumer, task in self.consumers:
            await consumer.stop()
            task.cancel()  # stop() waited for the batch in hand; only an idle fetch is cut
        if self._purge_task is not None:
            self._purge_task.cancel()
        self.relay.stop()
        if self._relay_task is not None:
            await asyncio.wait([self._relay_task], timeout=10)
            self._relay_task.cancel()
        await self.producer.stop()
        await self.engine.dispose()

    async def readiness(self) -> dict[str, str]:
        """'ok' or the reason, for the database and the broker."""
        checks: dict[str, str] = {}
        try:
            await self._database_answers()
            checks["database"] = "ok"
        except Exception as error:
            checks["database"] = f"unreachable: {type(error).__name__}: {error}"[:300]
        try:
            await self.producer.ping()
            checks["broker"] = "ok"
        except Exception as error:
            checks["broker"] = f"unreachable: {type(error).__name__}: {error}"[:300]
        checks["publisher"] = self.relay.health() or "ok"
        waiting = [consumer.group for consumer, _ in self.consumers if not consumer.joined]
        # A member without partitions hears nothing: not ready until the group has placed it.
        checks["consumers"] = f"waiting for partitions: {', '.join(waiting)}" if waiting else "ok"
        return checks

    async def _database_answers(self) -> None:
        # Connections are not pinged on checkout (see make_engine): after a database restart
        # the first look may meet a pooled connection that died with it. That failure
        # discards the old connections, so a second look on a fresh one tells the truth.
        for attempt in (1, 2):
            try:
                async with asyncio.timeout(3), self.engine.connect() as conn:
                    await conn.execute(text("SELECT 1"))
                return
            except Exception:
                if attempt == 2:
                    raise


async def _supervised(consumer: EventConsumer) -> None:
    # A consumer loop that dies (broker gone for long) is restarted rather than left dead.
    while True:
        try:
            await consumer.run()
            return
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("consumer %s stopped; restarting in 2s", consumer.topics)
            await asyncio.sleep(2)


async def _retrying(what: str, step: Callable[[], Awaitable[object]], attempts: int = 30) -> None:
    # Services may start before the broker in compose deployments; wait for it a while.
    for attempt in range(1, attempts + 1):
        try:
            await step()
            return
        except Exception as error:
            if attempt == attempts:
                raise
            log.warning("%s not ready (%s); retrying", what, error)
            await asyncio.sleep(1)
