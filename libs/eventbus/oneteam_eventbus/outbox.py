"""Transactional outbox: events are written with the state change and published after commit.

`add_event` runs inside the caller's database transaction, so the event exists exactly when
the change does. `OutboxRelay` publishes rows in sequence order and marks them sent; a crash
between the broker's ack and the mark only causes a re-send, which consumers' inboxes absorb.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Any
from uuid import UUID

from aiokafka.errors import (
    DuplicateSequenceNumber,
    InvalidProducerEpoch,
    KafkaError,
    OutOfOrderSequenceNumber,
    ProducerClosed,
    ProducerFenced,
    UnknownProducerId,
)
from pydantic import BaseModel
from sqlalchemy import ARRAY, Insert, any_, bindparam, delete, func, insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

from oneteam_contracts import Envelope, new_event, spec_for_type, to_kafka
from oneteam_eventbus.context import correlation_id
from oneteam_eventbus.doorbell import Bell, Doorbell, Ringer, find_leader
from oneteam_eventbus.metrics import EVENTS_PUBLISHED, OUTBOX_BACKLOG
from oneteam_eventbus.producer import EventProducer
from oneteam_eventbus.tables import outbox
from oneteam_eventbus.tracing import with_trace

log = logging.getLogger(__name__)


async def add_event(session: AsyncSession, event: Envelope[Any]) -> None:
    """Stage `event` for publication in the session's current transaction.

    The row holds the finished record (a structured CloudEvent carrying the trace of the work
    in hand), so the relay only copies bytes and rows staged before an upgrade keep their form.
    """
    await session.execute(event_row(event))


async def add_event_rows(session: AsyncSession, rows: Sequence[Mapping[str, Any]]) -> None:
    """Stage many events' outbox rows (`outbox_values`, `emitted_values`), in order, with one
    statement whatever their number (`staging_sql`)."""
    if rows:
        await session.execute(_STAGE, staging_arrays(rows))


_ARRAYS = {"event_id": "uuid", "event_type": "text", "topic": "text", "key": "bytea", "headers": "text",
           "payload": "bytea"}


def staging_sql(prefix: str = "e_") -> str:
    """The outbox insert of rows given as one array per column, parameters `prefix` + column
    (`staging_arrays`), for a caller that ends a statement of its own with it.

    The rows go as arrays so PostgreSQL plans the statement once per connection, whatever their
    number: a list of rows was a Bind and an Execute per row (~130 a second for the load test's
    position events), a multi-row VALUES a new statement per length. Sequence numbers follow
    the rows' order, which the relay publishes in (an incident's events keep theirs):
    ORDER BY the ordinality feeds the rows to nextval in turn.
    """
    arrays = ", ".join(f"CAST(:{prefix}{column} AS {kind}[])" for column, kind in _ARRAYS.items())
    return f"""INSERT INTO outbox (event_id, event_type, topic, key, headers, payload)
SELECT e.event_id, e.event_type, e.topic, e.key, CAST(e.headers AS jsonb), e.payload
FROM unnest({arrays}) WITH ORDINALITY AS e(event_id, event_type, topic, key, headers, payload, n)
ORDER BY e.n"""


def staging_arrays(rows: Sequence[Mapping[str, Any]], prefix: str = "e_") -> dict[str, list[Any]]:
    """`staging_sql`'s parameters for outbox rows (the headers as JSON text, parsed once each)."""
    arrays = {prefix + column: [row[column] for row in rows] for column in _ARRAYS if column != "headers"}
    arrays[prefix + "headers"] = [json.dumps(row["headers"]) for row in rows]
    return arrays


_STAGE = text(staging_sql())


def outbox_values(event: Envelope[Any]) -> dict[str, Any]:
    """The outbox row's values for `event`, for a caller inserting many rows with one statement."""
    spec = spec_for_type(event.type, event.schema_version)
    record = to_kafka(with_trace(event))
    return {"event_id": event.id, "event_type": event.type, "topic": spec.topic.name, "key": record.key,
            "headers": [[name, value.decode()] for name, value in record.headers], "payload": record.value}


def event_row(event: Envelope[Any]) -> Insert:
    """The outbox insert `add_event` runs (`oneteam_servicekit.db.outbox_insertion` is the same
    insert built once, for a caller that sends it together with its other writes)."""
    return insert(outbox).values(**outbox_values(event))


async def emit(session: AsyncSession, data: BaseModel, *, source: str, tenant: str, subject: object,
               correlation: UUID | None = None) -> None:
    """Wrap `data` in an envelope from `source` and stage it, in the session's transaction.

    The correlation id is the flow's: the one given, else the request's or event's in hand.
    """
    await session.execute(emitted(data, source=source, tenant=tenant, subject=subject, correlation=correlation))


def emitted(data: BaseModel, *, source: str, tenant: str, subject: object, correlation: UUID | None = None) -> Insert:
    """The outbox insert `emit` runs."""
    return insert(outbox).values(**emitted_values(data, source=source, tenant=tenant, subject=subject,
                                                  correlation=correlation))


def emitted_values(data: BaseModel, *, source: str, tenant: str, subject: object,
                   correlation: UUID | None = None) -> dict[str, Any]:
    """The outbox row's values `emit` would write, for a caller inserting many rows with one statement."""
    return outbox_values(new_event(data, source=source, tenant=tenant, subject=str(subject),
                                   correlation_id=correlation or _current_correlation()))


def _current_correlation() -> UUID | None:
    value = correlation_id.get()
    try:
        return UUID(value) if value else None
    except ValueError:
        return None


# Built once: a busy relay reads the outbox dozens of times a second.
_PENDING = (select(outbox.c.seq, outbox.c.topic, outbox.c.key, outbox.c.headers, outbox.c.payload)
            .where(outbox.c.sent_at.is_(None)).order_by(outbox.c.seq).limit(bindparam("limit")))
# `= ANY(:seqs)`, not an IN list: an IN list renders a statement per length, and asyncpg
# prepared each new length again (a round trip and a plan) as rounds came in every size.
_MARK_SENT = (update(outbox).where(outbox.c.seq == any_(bindparam("seqs", type_=ARRAY(outbox.c.seq.type))))
              .values(sent_at=func.now()))


class OutboxRelay:
    """Publishes the outbox of one service database; one relay per database is leader at a time.

    Leadership is a PostgreSQL advisory lock held on a dedicated connection, so with several
    replicas only one publishes and events of one key cannot overtake each other. The other
    replicas' commits ring the leader's doorbell (`oneteam_eventbus.doorbell`), so their
    events go out as promptly as the leader's own; `doorbell=False` leaves them to the poll.
    """

    def __init__(self, engine: AsyncEngine, producer: EventProducer, *, service: str,
                 batch_size: int = 500, poll_interval: float = 0.5,
                 keep_sent: timedelta = timedelta(days=7), max_backoff: float = 15.0,
                 stall_alarm: float = 10.0, doorbell: bool = True, round_gap: float = 0.0) -> None:
        self._engine = engine
        self._producer = producer
        self._service = service
        self._batch_size = batch_size
        self._poll_interval = poll_interval
        self._keep_sent = keep_sent
        self._wake = asyncio.Event()
        self._stopping = False
        self._lock_id = _lock_id(service)
        self._max_backoff = max_backoff
        self._stall_alarm = stall_alarm
        self._failing_since: float | None = None
        self._last_error = ""
        self._doorbell = doorbell
        self._round_gap = round_gap
        self._ringer = Ringer()
        self.leading = False

    @property
    def leader_bell(self) -> Bell | None:
        """The leader's doorbell this follower rings after a commit, once it has found one."""
        return self._ringer.bell

    def wake(self) -> None:
        """Tell the relay new rows were committed, so it publishes now instead of at the next poll.

        On a follower replica this rings the leader's doorbell, since the leader publishes; the
        follower itself keeps to its pace of contending for leadership.
        """
        if self.leading:
            self._wake.set()
        else:
            self._ringer.ring()

    def stop(self) -> None:
        """Ask the loop to finish after the current batch."""
        self._stopping = True
        self._wake.set()

    async def run(self) -> None:
        """Publish until stopped; survives broker and database outages by retrying."""
        try:
            while not self._stopping:
                self._wake.clear()
                try:
                    async with self._engine.connect() as lock_conn:
                        if await self._try_lead(lock_conn):
                            await self._lead(lock_conn)
                            return
                        if self._doorbell:
                            self._ringer.bell = await find_leader(lock_conn, self._lock_id)
                except Exception:
                    log.exception("outbox relay failed; retrying")
                await self._sleep(self._poll_interval * 4)
        finally:
            self._ringer.close()

    async def publish_pending(self) -> int:
        """Publish one batch of unsent rows; returns how many the broker acknowledged.

        Rows are marked sent one by one as their acks arrive, so a partition that refuses
        writes holds back only its own rows: healthy partitions are not sent the same
        records again and again. Raises `PublishFailed` when any row was refused.
        """
        async with self._engine.begin() as conn:
            rows = (await conn.execute(_PENDING, {"limit": self._batch_size})).all()
            if not rows:
                OUTBOX_BACKLOG.labels(self._service).set(0)
                return 0
            results = await self._producer.send_many([
                (row.topic, row.key, row.payload, [(k, v.encode()) for k, v in row.headers])
                for row in rows
            ])
            sent = [row for row, error in zip(rows, results, strict=True) if error is None]
            if sent:
                await conn.execute(_MARK_SENT, {"seqs": [row.seq for row in sent]})
        for row in sent:
            EVENTS_PUBLISHED.labels(self._service, row.topic).inc()
        errors = [error for error in results if error is not None]
        if errors:
            raise PublishFailed(len(sent), errors)
        if len(rows) < self._batch_size:
            # A partial batch took everything committed so far: no count query needed.
            OUTBOX_BACKLOG.labels(self._service).set(0)
        return len(rows)

    async def backlog(self) -> int:
        """Rows waiting to be published."""
        async with self._engine.connect() as conn:
            count = await conn.scalar(select(func.count()).select_from(outbox).where(outbox.c.sent_at.is_(None)))
        return int(count or 0)

    async def _try_lead(self, conn: AsyncConnection) -> bool:
        return bool(await conn.scalar(text("SELECT pg_try_advisory_lock(:id)"), {"id": self._lock_id}))

    def health(self) -> str | None:
        """None while publishing works (or this replica is not the leader), else why it cannot."""
        if self._failing_since is None:
            return None
        stalled = asyncio.get_running_loop().time() - self._failing_since
        if stalled < self._stall_alarm:
            return None
        return f"cannot publish for {stalled:.0f} s: {self._last_error}"[:300]

    async def _lead(self, lock_conn: AsyncConnection) -> None:
        self.leading = True
        self._ringer.bell = None
        doorbell = await Doorbell.open(lock_conn, self._wake.set) if self._doorbell else None
        try:
            await self._publish_while_leading(lock_conn)
        finally:
            self.leading = False
            if doorbell is not None:
                await doorbell.close(lock_conn)
            # The connection goes back to the pool: it must not keep leadership there.
            with contextlib.suppress(Exception):
                await lock_conn.execute(text("SELECT pg_advisory_unlock(:id)"), {"id": self._lock_id})

    async def _publish_while_leading(self, lock_conn: AsyncConnection) -> None:
        last_purge = last_check = 0.0
        loop = asyncio.get_running_loop()
        failures = 0
        while not self._stopping:
            self._wake.clear()
            if loop.time() - last_check > 5:
                # The lock lives as long as its connection; a dead one means another
                # replica may lead now, so this one must stop and re-contend.
                await lock_conn.execute(text("SELECT 1"))
                last_check = loop.time()
            began = loop.time()
            try:
                published = await self.publish_pending()
            except Exception as error:
                failures += 1
                await self._after_failure(error, failures)
                continue
            failures = 0
            self._failing_since = None
            if published == self._batch_size:
                continue
            if loop.time() - last_purge > 600:
                await self._purge_sent()
                last_purge = loop.time()
            await self._sleep(self._poll_interval)
            if not self._stopping:
                # Under load every commit rings: a round per ring carried ~3 rows (dispatch, 10
                # reports/s: 60 rounds a second, each a transaction and a produce request). Rounds
                # start at most every `round_gap`, so a busy outbox goes out in fuller rounds;
                # a ring after a quiet spell still goes out at once.
                await asyncio.sleep(max(0.0, began + self._round_gap - loop.time()))
        # A graceful stop publishes what was committed up to now, so a change made just
        # before shutdown is not left waiting for the next start.
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.publish_pending(), 5)

    async def _after_failure(self, error: Exception, failures: int) -> None:
        loop = asyncio.get_running_loop()
        if self._failing_since is None:
            self._failing_since = loop.time()
        self._last_error = f"{type(error).__name__}: {error}"
        log.warning("outbox publish failed (%d in a row): %s", failures, self._last_error)
        # Only while publishing fails does the backlog grow; count it for the gauge.
        with contextlib.suppress(Exception):
            OUTBOX_BACKLOG.labels(self._service).set(await self.backlog())
        broker_side = isinstance(error, PublishFailed | KafkaError)
        if needs_new_producer(error) or (broker_side and failures % 3 == 0):
            # An idempotent producer that lost its sequence state never recovers by itself.
            with contextlib.suppress(Exception):
                await self._producer.restart()
        # Back off, so a broken partition is retried a few times a minute, not twice a second.
        delay = min(self._poll_interval * 2 ** min(failures - 1, 10), self._max_backoff)
        await asyncio.sleep(delay)

    async def _purge_sent(self) -> None:
        async with self._engine.begin() as conn:
            await conn.execute(
                delete(outbox).where(outbox.c.sent_at < func.now() - self._keep_sent)
            )

    async def _sleep(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), seconds)


class PublishFailed(Exception):
    """Some rows of a batch were refused by the broker; the acknowledged ones are marked sent."""

    def __init__(self, published: int, errors: list[BaseException]) -> None:
        first = errors[0]
        super().__init__(f"{len(errors)} event(s) not published ({published} were): "
                         f"{type(first).__name__}: {first}")
        self.published = published
        self.errors = errors


# Errors after which the producer's idempotence state is useless: the broker forgot or
# rejects its sequence numbers, so only a new producer id gets writes through again.
_FATAL = (OutOfOrderSequenceNumber, UnknownProducerId, InvalidProducerEpoch, ProducerFenced,
          DuplicateSequenceNumber, ProducerClosed)


def needs_new_producer(error: BaseException) -> bool:
    """Whether `error` (or any error inside a PublishFailed) calls for a fresh producer."""
    if isinstance(error, PublishFailed):
        return any(isinstance(e, _FATAL) for e in error.errors)
    return isinstance(error, _FATAL)


def _lock_id(service: str) -> int:
    # A stable 63-bit id per service name: advisory locks are per database anyway,
    # the name only keeps services that share a database apart.
    return int.from_bytes(hashlib.sha256(f"outbox:{service}".encode()).digest()[:8], "big") >> 1
