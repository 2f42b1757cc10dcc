"""Group commit of officers' position posts: one transaction per flush interval for every post.

Two thousand officers sending a fix every 5 s is 400 posts a second; written one transaction
each (lock the officer, keep the fix, move the officer, stage the event) they took ~5.5 ms of
dispatch's CPU apiece, half of it building and sending SQL (py-spy), and two cores could not keep
up. Here a post waits for the next flush (`DISPATCH_POSITION_FLUSH_MS`; a frame of the position
stream up to `DISPATCH_POSITION_STREAM_FLUSH_MS`, whichever comes first), which writes every
pending fix with one statement per kind and stages one `officer.position_reported` per officer
— the newest — for the compacted positions topic. The post is answered after that commit, so a
2xx still means stored; a failed flush answers every post in it 503 with Retry-After, and the
next flush starts afresh. One flush runs at a time per replica, and flushes on different
replicas lock officers' rows in id order, so an officer's position only moves forward in time.

Events are paced (`domain.positions.Pace`): an officer's newest fix is published at once when
they have had none for `DISPATCH_POSITION_PUBLISH_S` or moved `DISPATCH_POSITION_PUBLISH_MOVED_M`,
and otherwise waits its turn: a later flush publishes it when the interval is up, unless a newer
fix has taken its place by then. The pace is kept in memory per replica (a replica that restarts
publishes each officer's next fix at once; replicas sharing an officer's posts each keep their
own pace), and a replica that stops publishes what is waiting first.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import logging
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from oneteam_contracts import GeoPoint, OfficerPositionReported
from oneteam_dispatch.domain.positions import Fix, Pace, Published, plan_flush, track_key
from oneteam_dispatch.events import event_values
from oneteam_dispatch.store import officers as officer_store
from oneteam_servicekit import NotFound
from oneteam_servicekit.clock import Clock
from oneteam_servicekit.errors import DomainError, Unavailable

log = logging.getLogger(__name__)
EVERY_FIX = Pace(every_s=0, moved_m=0)
DEADLOCK = "40P01"  # PostgreSQL's deadlock_detected: one side is rolled back, and may simply run again


@dataclass(frozen=True)
class Kept:
    """What a post's flush did: how many of its fixes were new, and where the officer now is."""

    tenant: str
    stored: int
    position: GeoPoint | None
    position_at: datetime | None


@dataclass
class _Post:
    officer_id: str
    fixes: list[Fix]
    check_tenant: Callable[[str], None]  # raises when the caller may not act in the officer's tenant
    answer: asyncio.Future[Kept] = field(default_factory=lambda: asyncio.get_running_loop().create_future())

    def give(self, kept: Kept | None = None, error: BaseException | None = None) -> None:
        if self.answer.done():  # the caller went away; the fixes are stored all the same
            return
        if error is not None:
            self.answer.set_exception(error)
        else:
            self.answer.set_result(kept)  # type: ignore[arg-type]


@dataclass(frozen=True)
class _Waiting:
    """An officer's newest fix, stored but not yet published: its turn comes at `due_s`."""

    fix: Fix
    due_s: float


class PositionBatcher:
    """Gathers one replica's position posts and writes them together every `interval_s`."""

    def __init__(self, transaction: Callable[[], AbstractAsyncContextManager[AsyncSession]], clock: Clock,
                 interval_s: float, pace: Pace = EVERY_FIX) -> None:
        self._transaction = transaction
        self._clock = clock
        self.interval_s = interval_s
        self.pace = pace
        self._pending: list[_Post] = []
        self._flush_at = 0.0  # loop time the pending posts are to be flushed by
        self._flusher: asyncio.Task[None] | None = None
        self._nudge = asyncio.Event()  # a post wants a flush sooner than the flusher sleeps for
        self._closing = False
        self._published: dict[str, Published] = {}  # officer → last event staged, oldest first
        self._waiting: dict[str, _Waiting] = {}  # officer → newest fix not yet published
        self._turns: list[tuple[float, str]] = []  # (due_s, officer) heap over _waiting; stale entries skipped
        self.flushes = 0  # committed transactions, for tests and metrics
        self.published = 0  # events staged, for tests and metrics

    async def submit(self, officer_id: str, fixes: list[Fix], check_tenant: Callable[[str], None],
                     within_s: float | None = None) -> Kept:
        """Queue validated fixes for a flush within `within_s` (default: the interval) and wait
        until it has committed them. A flush takes every pending post, whoever set its time."""
        post = _Post(officer_id, fixes, check_tenant)
        flush_at = asyncio.get_running_loop().time() + (self.interval_s if within_s is None else within_s)
        sooner = not self._pending or flush_at < self._flush_at
        self._pending.append(post)
        if sooner:
            self._flush_at = flush_at
            self._nudge.set()  # the flusher, asleep for a later flush or a waiting fix, wakes for this one
        self._start()
        return await post.answer

    async def close(self) -> None:
        """Let the flush in hand finish and publish what waits (stopping: every post gets its answer)."""
        self._closing = True
        self._nudge.set()
        if self._flusher is not None:
            with contextlib.suppress(Exception):
                await self._flusher

    def _start(self) -> None:
        if self._flusher is None or self._flusher.done():
            # A task of its own, so a caller that hangs up cannot cancel the others' flush.
            self._flusher = asyncio.create_task(self._run(), name="dispatch-positions")

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while self._pending or self._waiting:
            # Sleep until the pending posts' flush, else the first waiting fix's turn; a post that
            # wants an earlier flush wakes the sleep (a stopping replica flushes at once).
            wake_at = self._flush_at if self._pending else self._turns[0][0]
            if not self._closing and (wait := wake_at - loop.time()) > 0:
                self._nudge.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._nudge.wait(), wait)
                continue
            posts, self._pending = self._pending, []
            due = self._due(loop.time())
            if posts or due:
                await self._flush(posts, due)

    def _due(self, now_s: float) -> dict[str, _Waiting]:
        """The waiting fixes whose turn has come (all of them when stopping)."""
        due: dict[str, _Waiting] = {}
        while self._turns and (self._closing or self._turns[0][0] <= now_s):
            due_s, officer_id = heapq.heappop(self._turns)
            waiting = self._waiting.get(officer_id)
            if waiting is not None and waiting.due_s == due_s:  # else a turn since given to a newer wait
                del self._waiting[officer_id]
                due[officer_id] = waiting
        return due

    async def _flush(self, posts: list[_Post], due: dict[str, _Waiting]) -> None:
        for attempt in (1, 2, 3):
            try:
                await self._write(posts, due)
                self.flushes += 1
                return
            except DBAPIError as error:
                if getattr(error.orig, "sqlstate", None) == DEADLOCK and attempt < 3:
                    continue
                failure: BaseException = error
            except Exception as error:
                failure = error
            break
        log.warning("position flush of %d posts failed: %s", len(posts), failure)
        for post in posts:
            post.give(error=Unavailable("positions could not be stored just now; send them again", retry_after_s=1))
        if not self._closing:  # the waiting fixes try again in a second (a stopping replica lets them go)
            retry_s = asyncio.get_running_loop().time() + 1
            for officer_id, waiting in due.items():
                self._wait(officer_id, waiting.fix, retry_s)

    async def _write(self, posts: list[_Post], due: dict[str, _Waiting]) -> None:
        now = self._clock.now()
        answers: list[tuple[_Post, Kept | None, BaseException | None]] = []
        async with self._transaction() as session:
            found = await officer_store.lock_positions(session, sorted({p.officer_id for p in posts} | set(due)))
            accepted = []
            for post in posts:
                officer = found.get(post.officer_id)
                try:
                    if officer is None:
                        raise NotFound(f"officer {post.officer_id} does not exist")
                    post.check_tenant(officer.tenant)
                    accepted.append(post)
                except DomainError as refused:
                    answers.append((post, None, refused))
            plan = plan_flush([(p.officer_id, p.fixes) for p in accepted],
                              {officer_id: row.position_at for officer_id, row in found.items()})
            now_s = asyncio.get_running_loop().time()
            publish: dict[str, Fix] = {}
            for officer_id, waiting in due.items():
                row = found.get(officer_id)
                # Still where the officer is? Else a newer fix moved them (here or on another
                # replica), and that fix's flush speaks for them.
                if row is not None and row.position_at == waiting.fix.recorded_at:
                    publish[officer_id] = waiting.fix
            wait: dict[str, Fix] = {}
            for officer_id, fix in plan.latest.items():
                if officer_id in due or self.pace.due(fix, self._published.get(officer_id), now_s):
                    publish[officer_id] = fix
                else:
                    wait[officer_id] = fix
            events = [event_values(OfficerPositionReported(
                officer_id=officer_id, tenant=found[officer_id].tenant, position=fix.position, source=fix.source,
                accuracy_m=fix.accuracy_m, recorded_at=fix.recorded_at,
            ), tenant=found[officer_id].tenant, subject=officer_id) for officer_id, fix in publish.items()]
            rows = [(post.officer_id, fix) for post, fixes in zip(accepted, plan.track, strict=True) for fix in fixes]
            new = await officer_store.write_positions(session, rows, plan.latest, now, events)
        self._mark(publish, wait, now_s)
        for post, fixes in zip(accepted, plan.track, strict=True):
            row = found[post.officer_id]
            newest = plan.latest.get(post.officer_id)
            stored = sum(1 for fix in fixes if track_key(post.officer_id, fix) in new)
            answers.append((post, Kept(row.tenant, stored, newest.position if newest else row.position,
                                       newest.recorded_at.astimezone(UTC) if newest else row.position_at), None))
        for post, kept, error in answers:
            post.give(kept, error)

    def _mark(self, published: dict[str, Fix], waiting: dict[str, Fix], now_s: float) -> None:
        """After the commit: what each officer's pace now counts from, and which fixes wait their turn."""
        while self._published:  # oldest first: forget paces that have run out (no entry: publish at once)
            oldest = next(iter(self._published))
            if now_s - self._published[oldest].at_s < self.pace.every_s:
                break
            del self._published[oldest]
        for officer_id, fix in published.items():
            self._published.pop(officer_id, None)  # re-inserted last, keeping the dict in staging order
            self._published[officer_id] = Published(fix.position, now_s)
            self._waiting.pop(officer_id, None)
        self.published += len(published)
        for officer_id, fix in waiting.items():
            self._wait(officer_id, fix, self.pace.next_turn(self._published[officer_id]))

    def _wait(self, officer_id: str, fix: Fix, due_s: float) -> None:
        earlier = self._waiting.get(officer_id)
        if earlier is not None:
            due_s = earlier.due_s  # a newer fix takes the waiting one's turn, not a later one
        else:
            heapq.heappush(self._turns, (due_s, officer_id))
        self._waiting[officer_id] = _Waiting(fix, due_s)
