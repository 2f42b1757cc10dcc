"""Consumer-group reader with an idempotent inbox, bounded retries and a dead-letter topic.

For each message: the handler runs in one database transaction together with the inbox row
that records the event id, so a redelivered event is recognised and has no second effect.
Offsets are committed only after those transactions have committed. An outage of the database
or the broker pauses the partition and retries until the dependency is back; only a message
that keeps failing on its own account goes to `<topic>.dlq` with the error, and the partition
moves on.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import Any

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from aiokafka.abc import ConsumerRebalanceListener
from aiokafka.errors import CommitFailedError, ConsumerStoppedError, IllegalStateError
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from oneteam_contracts import Envelope, dead_letter_topic, event_from_kafka, spec_for
from oneteam_eventbus.config import KafkaConfig
from oneteam_eventbus.context import correlation_scope
from oneteam_eventbus.faults import is_transient
from oneteam_eventbus.metrics import (
    CONSUMER_LAG,
    DEAD_LETTERS,
    EVENTS_HANDLED,
    HANDLE_SECONDS,
    HANDLER_ERRORS,
    STALLS,
)
from oneteam_eventbus.producer import EventProducer
from oneteam_eventbus.tables import inbox
from oneteam_eventbus.tracing import consuming, continuing

log = logging.getLogger(__name__)

# Events claimed in one statement of one shape, a fetch's or a single one's: a multi-row
# VALUES has a new shape for every fetch length and was compiled afresh each time (a quarter
# of evaluation's busy time consuming, py-spy).
_CLAIM = text(f"""
    INSERT INTO {inbox.name} (consumer_group, event_id, event_type)
    SELECT :group, fetched.id, fetched.type
        FROM unnest(CAST(:ids AS uuid[]), CAST(:types AS text[])) AS fetched(id, type)
    ON CONFLICT DO NOTHING RETURNING event_id""").columns(inbox.c.event_id)


async def _claim(session: AsyncSession, group: str, events: Iterable[Envelope[Any]]) -> set[Any]:
    """The ids of `events` the group had not handled, now recorded in its inbox in `session`'s transaction."""
    ordered = sorted(events, key=lambda e: e.id)  # in id order, so two members briefly sharing a partition lock alike
    return set((await session.execute(_CLAIM, {
        "group": group, "ids": [e.id for e in ordered], "types": [e.type for e in ordered]})).scalars())


# How long the broker may hold an empty fetch. Short for a group on the 1-3-5-8 clock: a long
# wait would cost nothing if Apache Kafka always answered when a record came, but it does not:
# at 500 ms about one record in ten waited 350-470 ms there (Kafka 4.4, aiokafka, 2026-11-26),
# at 50 ms about one in fifteen waits ~30 ms. Every empty fetch costs the consumer's process
# and the broker a round of work, though: the suite's idle polling took 0.38 of the two cores
# at 50 ms and 0.16 at 500 ms (load test at 0.5 reports/s, 2026-11-26), so groups no officer
# or caller waits on in seconds (read models, case files) take the relaxed wait.
PROMPT_FETCH_WAIT_MS = 50
RELAXED_FETCH_WAIT_MS = 500
# A relaxed group also lets the broker gather records for its fetch (up to the wait above), so
# under load it reads a few larger batches a second instead of a batch of two or three records
# per fetch: fewer fetches, transactions and offset commits for the same events.
RELAXED_FETCH_MIN_BYTES = 64 * 1024
# A partition with no committed offset asks its leader, as the client's metadata names it, where
# to begin; aiokafka retries a refusal (NotLeaderForPartition) against the same broker without
# reading the metadata again. A broker killed and restarted while a group rebalanced left one
# partition asking the restarted broker, no longer its leader, until the metadata's periodic
# refresh, five minutes by default (the cluster test, CI on 2026-11-27). Refreshed every 10 s,
# such a partition waits at most that long.
METADATA_MAX_AGE_MS = 10_000

Handler = Callable[[AsyncSession, Envelope[Any]], Awaitable[None]]
# Many events in one transaction, for a read model whose writes merge set-wise (evaluation).
BatchHandler = Callable[[AsyncSession, list[Envelope[Any]]], Awaitable[None]]


def in_runs(handlers: Mapping[str, Handler], together: Mapping[str, BatchHandler]) -> BatchHandler:
    """A batch handler keeping the fetch's order: each run of consecutive events of a type in
    `together` goes to that type's batch handler in one call, every other event to its own
    handler (in its correlation scope, as the record-by-record path runs it).

    For a service whose most frequent event is cheap to handle in bulk (dispatch's reported
    incidents) while the rarer ones keep their one-event handlers.
    """

    async def handle(session: AsyncSession, events: list[Envelope[Any]]) -> None:
        run: list[Envelope[Any]] = []
        for event in events:
            if run and event.type != run[0].type:
                await together[run[0].type](session, run)
                run = []
            if event.type in together:
                run.append(event)
                continue
            with (correlation_scope(str(event.correlation_id)),
                  continuing(event.traceparent, f"{event.type} handler")):
                await handlers[event.type](session, event)
        if run:
            await together[run[0].type](session, run)

    return handle


class EventConsumer:
    """Runs `handlers` (message type → handler) for one consumer group until stopped."""

    def __init__(self, config: KafkaConfig, *, group_id: str, service: str,
                 handlers: Mapping[str, Handler], sessions: async_sessionmaker[AsyncSession],
                 dead_letters: EventProducer, max_attempts: int = 5, backoff: float = 0.2,
                 max_pause: float = 5.0, after_commit: Callable[[], None] | None = None,
                 batch_handler: BatchHandler | None = None, max_records: int = 200,
                 prompt: bool = True) -> None:
        self._group = group_id
        self._service = service
        self._handlers = dict(handlers)
        self._sessions = sessions
        self._dead_letters = dead_letters
        self._max_attempts = max_attempts
        self._backoff = backoff
        self._after_commit = after_commit
        self._batch_handler = batch_handler
        self._max_records = max_records
        self._prompt = prompt
        self._max_pause = max_pause
        self._stalls: dict[TopicPartition, int] = {}
        self._processing = asyncio.Lock()
        self._listener = _FinishBeforeRevoke(self._processing)
        self._stopping = asyncio.Event()
        self._lag: int | None = None
        self.topics = sorted({spec_for(message_type).topic.name for message_type in handlers})
        self._config = config

    async def start(self) -> None:
        """Join the group and subscribe (the client is made here, inside the running loop)."""
        self._consumer = AIOKafkaConsumer(
            bootstrap_servers=self._config.bootstrap_servers,
            client_id=f"{self._config.client_id}-{self._group}",
            **self._config.security(),
            group_id=self._group,
            # Static membership: a replica restarted with the same instance id gets its
            # partitions back at once instead of after the old member's session expires.
            group_instance_id=(f"{self._config.group_instance_id}.{self._group}"
                               if self._config.group_instance_id else None),
            session_timeout_ms=self._config.session_timeout_ms,
            heartbeat_interval_ms=max(1000, self._config.session_timeout_ms // 3),
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            max_poll_records=self._max_records,
            fetch_max_wait_ms=PROMPT_FETCH_WAIT_MS if self._prompt else RELAXED_FETCH_WAIT_MS,
            fetch_min_bytes=1 if self._prompt else RELAXED_FETCH_MIN_BYTES,
            metadata_max_age_ms=METADATA_MAX_AGE_MS,
        )
        await self._consumer.start()
        self._consumer.subscribe(self.topics, listener=self._listener)

    async def stop(self) -> None:
        """Finish the batch in hand, commit, leave the group."""
        self._stopping.set()
        async with self._processing:
            pass  # the batch in hand is done; leaving outside the lock, as leaving revokes
        await self._consumer.stop()

    @property
    def group(self) -> str:
        """The consumer group this reader belongs to."""
        return self._group

    @property
    def joined(self) -> bool:
        """Whether the group has given this member its partitions (readiness waits for it)."""
        return self._listener.joined

    @property
    def lag(self) -> int | None:
        """Records this member has still to read on its partitions (high watermark less position), as of its last poll.

        None until it has joined and fetched each of its partitions once, and again during a
        rebalance: a member that has not looked yet cannot say it is caught up. A member given no
        partitions has nothing to read: 0.
        """
        return self._lag

    async def group_lag(self) -> int:
        """Records the whole group, every member and not only this one, has still to commit on its topics.

        Asked of the broker (the ends, the starts, each partition's commit): where replicas share
        the group, this member's `lag` sees only its own partitions. A partition the group never
        committed counts from its start, where the group would begin reading it.
        """
        partitions = [TopicPartition(topic, p) for topic in self.topics
                      for p in sorted(self._consumer.partitions_for_topic(topic) or ())]
        ends = await self._consumer.end_offsets(partitions)
        starts = await self._consumer.beginning_offsets(partitions)
        commits = await asyncio.gather(*(self._consumer.committed(tp) for tp in partitions))
        return sum(max(0, ends[tp] - (starts[tp] if done is None else done))
                   for tp, done in zip(partitions, commits, strict=True))

    async def run(self) -> None:
        """Consume until stop() is called."""
        while not self._stopping.is_set():
            try:
                batch = await self._consumer.getmany(timeout_ms=500)
            except ConsumerStoppedError:
                return
            if not batch:
                await self._measure()  # an idle poll too, so a member that caught up says 0
                continue
            async with self._processing:
                if self._stopping.is_set():
                    return
                # Partitions are independent, so they run side by side; within one the
                # order of messages (and so of one incident's events) is kept.
                positions = await self._handle_batch(batch) if self._batch_handler else None
                if positions is None:
                    positions = await asyncio.gather(*(self._handle_partition(tp, records)
                                                       for tp, records in batch.items()))
                offsets = dict(zip(batch, positions, strict=True))
                try:
                    await self._consumer.commit(offsets)
                except (CommitFailedError, IllegalStateError) as error:
                    # The group rebalanced mid-batch: the new owner re-reads these
                    # messages and the inbox turns them into no-ops.
                    log.warning("offset commit skipped after rebalance: %s", error)
                await self._measure()

    async def _handle_partition(self, tp: TopicPartition, records: list[ConsumerRecord[bytes, bytes]]) -> int:
        """Handle records in order; returns the offset to commit (the first record not done)."""
        for record in records:
            if not await self._handle(record):
                self._pause(tp, record.offset)
                return int(record.offset)
        self._stalls.pop(tp, None)
        return int(records[-1].offset) + 1

    def _pause(self, tp: TopicPartition, offset: int) -> None:
        # An outage, not a bad message: rewind to the record, pause the partition and
        # resume it later, with a growing pause, until the dependency is back. The other
        # partitions and the group heartbeat go on meanwhile.
        stalls = self._stalls.get(tp, 0) + 1
        self._stalls[tp] = stalls
        delay = min(self._backoff * 2 ** min(stalls - 1, 10), self._max_pause)
        STALLS.labels(self._service, self._group, tp.topic).inc()
        log.warning("%s[%d]@%d waits %.1f s for its dependency (stall %d)", tp.topic, tp.partition,
                    offset, delay, stalls)
        self._consumer.seek(tp, offset)
        self._consumer.pause(tp)
        asyncio.get_running_loop().call_later(delay, self._resume, tp)

    def _resume(self, tp: TopicPartition) -> None:
        if not self._stopping.is_set() and tp in self._consumer.assignment():
            self._consumer.resume(tp)

    async def _handle(self, record: ConsumerRecord[bytes, bytes]) -> bool:
        """Handle one record; False when an outage stopped it (the record must be read again)."""
        try:
            # Topics carry several message types; ones this group does not handle are
            # skipped unvalidated, so a newer type from a newer producer is no poison here.
            event = event_from_kafka(record.headers, record.value, wanted=self._handlers)
        except ValueError as error:  # pydantic's ValidationError is a ValueError too
            return await self._dead_letter(record, error, attempts=1)
        if event is None:
            return True
        handler = self._handlers[event.type]
        for attempt in range(1, self._max_attempts + 1):
            started = time.perf_counter()
            try:
                with (correlation_scope(str(event.correlation_id)),
                      consuming(event, topic=record.topic, group=self._group)):
                    outcome = await self._apply(handler, event)
                HANDLE_SECONDS.labels(self._service, self._group, event.type).observe(
                    time.perf_counter() - started)
                EVENTS_HANDLED.labels(self._service, self._group, event.type, outcome).inc()
                return True
            except Exception as error:
                HANDLER_ERRORS.labels(self._service, self._group, event.type).inc()
                if is_transient(error) and await self._database_down():
                    log.warning("handler for %s met an outage: %r", event.type, error)
                    return False
                log.warning("handler for %s failed (attempt %d/%d): %r", event.type, attempt,
                            self._max_attempts, error)
                if attempt == self._max_attempts:
                    return await self._dead_letter(record, error, attempts=attempt)
                await asyncio.sleep(self._backoff * 2 ** (attempt - 1))
        return True

    async def _database_down(self) -> bool:
        # An outage-looking error while the database answers (a deadlock, a pool timeout
        # under load, a bug that raises OSError) is the message's problem: it spends
        # attempts towards the dead-letter topic instead of stalling the partition for ever.
        try:
            async with asyncio.timeout(3), self._sessions() as session:
                await session.execute(text("SELECT 1"))
        except Exception:
            return True
        return False

    async def _apply(self, handler: Handler, event: Envelope[Any]) -> str:
        async with self._sessions.begin() as session:
            if not await _claim(session, self._group, [event]):
                return "duplicate"
            await handler(session, event)
        if self._after_commit is not None:
            self._after_commit()
        return "handled"

    async def _handle_batch(self, batch: Mapping[TopicPartition, list[ConsumerRecord[bytes, bytes]]],
                            ) -> list[int] | None:
        """Every record fetched in one transaction: one inbox statement, one batch-handler call.

        None when anything fails (an unreadable record, the handler, an outage): the batch is
        then handled record by record, with its retries, pauses and dead letters, as without
        a batch handler; the inbox makes what this attempt did count once.
        """
        assert self._batch_handler is not None
        events: dict[Any, Envelope[Any]] = {}
        topics: dict[Any, str] = {}
        fresh: set[Any] = set()
        try:
            for records in batch.values():
                for record in records:
                    event = event_from_kafka(record.headers, record.value, wanted=self._handlers)
                    if event is not None:
                        events.setdefault(event.id, event)  # the same event twice in one fetch: once
                        topics.setdefault(event.id, record.topic)
            if events:
                # Each event's consumer span, in its own trace, covers the transaction that handled it.
                with contextlib.ExitStack() as spans:
                    for event in events.values():
                        spans.enter_context(consuming(event, topic=topics[event.id], group=self._group))
                    async with self._sessions.begin() as session:
                        fresh.update(await _claim(session, self._group, events.values()))
                        await self._batch_handler(session, [e for e in events.values() if e.id in fresh])
        except Exception as error:
            log.warning("batch of %d events handled one by one instead: %r", len(events), error)
            return None
        if self._after_commit is not None:
            self._after_commit()
        for event in events.values():
            EVENTS_HANDLED.labels(self._service, self._group, event.type,
                                  "handled" if event.id in fresh else "duplicate").inc()
        for tp in batch:
            self._stalls.pop(tp, None)
        return [int(records[-1].offset) + 1 for records in batch.values()]

    async def _dead_letter(self, record: ConsumerRecord[bytes, bytes], error: Exception,
                           attempts: int) -> bool:
        topic = dead_letter_topic(record.topic)
        headers = [
            *(record.headers or ()),
            ("dlq.error", str(error)[:2000].encode()),
            ("dlq.error_type", type(error).__name__.encode()),
            ("dlq.original_topic", record.topic.encode()),
            ("dlq.original_partition", str(record.partition).encode()),
            ("dlq.original_offset", str(record.offset).encode()),
            ("dlq.consumer_group", self._group.encode()),
            ("dlq.attempts", str(attempts).encode()),
        ]
        try:
            await self._dead_letters.send_raw(topic, record.key, record.value or b"", headers)
        except Exception as send_error:
            # The broker cannot take the dead letter either: keep the record, try again later.
            log.warning("dead letter for %s[%d]@%d not written: %r", record.topic, record.partition,
                        record.offset, send_error)
            return False
        DEAD_LETTERS.labels(self._service, self._group, record.topic).inc()
        log.error("message %s[%d]@%d sent to %s: %r", record.topic, record.partition, record.offset,
                  topic, error)
        return True

    async def _measure(self) -> None:
        total: int | None = 0 if self._listener.holding else None
        for tp in self._consumer.assignment():
            highwater = self._consumer.highwater(tp)  # known once a fetch of the partition has answered
            if highwater is None:
                total = None
                continue
            try:
                behind = max(0, highwater - await self._consumer.position(tp))
            except IllegalStateError:  # revoked by a rebalance meanwhile
                total = None
                continue
            CONSUMER_LAG.labels(self._service, self._group, tp.topic, tp.partition).set(behind)
            total = None if total is None else total + behind
        self._lag = total


class _FinishBeforeRevoke(ConsumerRebalanceListener):  # type: ignore[misc]
    """Lets the batch in hand finish (and commit) before partitions move to another member."""

    def __init__(self, processing: asyncio.Lock) -> None:
        self._processing = processing
        self.joined = False
        self.holding = False  # between an assignment and the next revocation (a rebalance in between)

    async def on_partitions_revoked(self, revoked: list[TopicPartition]) -> None:
        self.holding = False
        async with self._processing:
            log.info("partitions revoked: %s", _names(revoked))

    async def on_partitions_assigned(self, assigned: list[TopicPartition]) -> None:
        self.joined = self.holding = True
        log.info("partitions assigned: %s", _names(assigned))


def _names(partitions: list[TopicPartition]) -> str:
    return ", ".join(sorted(f"{tp.topic}[{tp.partition}]" for tp in partitions)) or "none"
