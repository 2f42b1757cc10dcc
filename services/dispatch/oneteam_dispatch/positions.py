"""Group commit of officers' position posts: one transaction per flush interval for every post.

Two thousand officers sending a fix every 5 s is 400 posts a second; written one transaction
each (lock the officer, keep the fix, move the officer, stage the event) they took ~5.5 ms of
dispatch's CPU apiece, half of it building and sending SQL (py-spy), and two cores could not keep
up. Here a post waits for the next flush (`DISPATCH_POSITION_FLUSH_MS`), which writes every
pending fix with one statement per kind and stages one `officer.position_reported` per officer
— the newest — for the compacted positions topic. The post is answered after that commit, so a
2xx still means stored; a failed flush answers every post in it 503 with Retry-After, and the
next flush starts afresh. One flush runs at a time per replica, and flushes on different
replicas lock officers' rows in id order, so an officer's position only moves forward in time.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from oneteam_contracts import GeoPoint, OfficerPositionReported
from oneteam_dispatch.domain.positions import Fix, plan_flush, track_key
from oneteam_dispatch.events import event_values
from oneteam_dispatch.store import officers as officer_store
from oneteam_servicekit import NotFound
from oneteam_servicekit.clock import Clock
from oneteam_servicekit.errors import DomainError, Unavailable

log = logging.getLogger(__name__)
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


class PositionBatcher:
    """Gathers one replica's position posts and writes them together every `interval_s`."""

    def __init__(self, transaction: Callable[[], AbstractAsyncContextManager[AsyncSession]], clock: Clock,
                 interval_s: float) -> None:
        self._transaction = transaction
        self._clock = clock
        self.interval_s = interval_s
        self._pending: list[_Post] = []
        self._since = 0.0  # loop time the oldest pending post arrived
        self._flusher: asyncio.Task[None] | None = None
        self.flushes = 0  # committed transactions, for tests and metrics

    async def submit(self, officer_id: str, fixes: list[Fix], check_tenant: Callable[[str], None]) -> Kept:
        """Queue validated fixes for the next flush and wait until it has committed them."""
        post = _Post(officer_id, fixes, check_tenant)
        loop = asyncio.get_running_loop()
        if not self._pending:
            self._since = loop.time()
        self._pending.append(post)
        if self._flusher is None or self._flusher.done():
            # A task of its own, so a caller that hangs up cannot cancel the others' flush.
            self._flusher = asyncio.create_task(self._run(), name="dispatch-positions")
        return await post.answer

    async def close(self) -> None:
        """Let the flush in hand finish (stopping: every waiting post gets its answer)."""
        if self._flusher is not None:
            with contextlib.suppress(Exception):
                await self._flusher

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while self._pending:
            wait = self._since + self.interval_s - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            posts, self._pending = self._pending, []
            await self._flush(posts)

    async def _flush(self, posts: list[_Post]) -> None:
        for attempt in (1, 2, 3):
            try:
                await self._write(posts)
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

    async def _write(self, posts: list[_Post]) -> None:
        now = self._clock.now()
        answers: list[tuple[_Post, Kept | None, BaseException | None]] = []
        async with self._transaction() as session:
            found = await officer_store.lock_positions(session, sorted({p.officer_id for p in posts}))
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
            events = [event_values(OfficerPositionReported(
                officer_id=officer_id, tenant=found[officer_id].tenant, position=fix.position, source=fix.source,
                accuracy_m=fix.accuracy_m, recorded_at=fix.recorded_at,
            ), tenant=found[officer_id].tenant, subject=officer_id) for officer_id, fix in plan.latest.items()]
            rows = [(post.officer_id, fix) for post, fixes in zip(accepted, plan.track, strict=True) for fix in fixes]
            new = await officer_store.write_positions(session, rows, plan.latest, now, events)
        for post, fixes in zip(accepted, plan.track, strict=True):
            row = found[post.officer_id]
            newest = plan.latest.get(post.officer_id)
            stored = sum(1 for fix in fixes if track_key(post.officer_id, fix) in new)
            answers.append((post, Kept(row.tenant, stored, newest.position if newest else row.position,
                                       newest.recorded_at.astimezone(UTC) if newest else row.position_at), None))
        for post, kept, error in answers:
            post.give(kept, error)
