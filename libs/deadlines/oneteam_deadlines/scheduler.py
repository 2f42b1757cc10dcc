"""Durable deadlines: each fires exactly once, across replicas and restarts.

A deadline is a row ``(subject, kind, due_at)``. Every replica polls for due, unfired rows
with ``FOR UPDATE SKIP LOCKED``; the replica that locks a row calls the service's handler and
marks the row fired in the same transaction, so a row is handled once even with two
replicas, and a row that came due while every replica was down is handled after restart.
A service schedules rows in the transaction that changes its aggregate, so a deadline exists
exactly when the change that set it committed.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Column, DateTime, Index, MetaData, PrimaryKeyConstraint, String, Table, delete, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

log = logging.getLogger(__name__)

deadline_metadata = MetaData()

deadlines = Table(
    "scheduled_deadlines",
    deadline_metadata,
    Column("subject", String(100), nullable=False),  # the aggregate's id, e.g. a case id
    Column("kind", String(64), nullable=False),  # what is due, e.g. "decision" or "decision.warning"
    Column("due_at", DateTime(timezone=True), nullable=False),
    Column("tenant", String(12), nullable=False),
    Column("fired_at", DateTime(timezone=True), nullable=True),
    PrimaryKeyConstraint("subject", "kind", "due_at"),
)
Index("scheduled_deadlines_due", deadlines.c.due_at, postgresql_where=text("fired_at IS NULL"))


@dataclass(frozen=True)
class Due:
    """A deadline whose time has come."""

    subject: str
    kind: str
    due_at: datetime
    tenant: str


FireHandler = Callable[[AsyncSession, Due, datetime], Awaitable[None]]
"""What a service does when a deadline fires: (session, the deadline, now), in the firing transaction."""

Transaction = Callable[[], AbstractAsyncContextManager[AsyncSession]]


async def schedule(session: AsyncSession, *, subject: str, kind: str, due_at: datetime, tenant: str) -> None:
    """Set a deadline (setting the same one twice is harmless)."""
    await session.execute(insert(deadlines).values(subject=subject, kind=kind, due_at=due_at, tenant=tenant)
                          .on_conflict_do_nothing())


async def cancel(session: AsyncSession, *, subject: str, kinds: list[str] | None = None) -> None:
    """Drop `subject`'s unfired deadlines (of `kinds`, or all): the step was done in time."""
    query = delete(deadlines).where(deadlines.c.subject == subject, deadlines.c.fired_at.is_(None))
    if kinds is not None:
        query = query.where(deadlines.c.kind.in_(kinds))
    await session.execute(query)


async def pending(session: AsyncSession, subject: str) -> list[Due]:
    """`subject`'s unfired deadlines, soonest first."""
    rows = (await session.execute(
        select(deadlines).where(deadlines.c.subject == subject, deadlines.c.fired_at.is_(None))
        .order_by(deadlines.c.due_at)
    )).all()
    return [Due(r.subject, r.kind, r.due_at, r.tenant) for r in rows]


class Scheduler:
    """The loop that fires due deadlines through one handler."""

    def __init__(self, transaction: Transaction, now: Callable[[], datetime], handler: FireHandler, *,
                 poll_s: float = 1.0, keep_fired: timedelta = timedelta(days=7)) -> None:
        self._transaction = transaction
        self._now = now
        self._handler = handler
        self._poll_s = poll_s
        self._keep_fired = keep_fired
        self.fired = 0  # deadlines this replica handled, for tests and metrics

    async def run(self) -> None:
        """Fire due deadlines until cancelled."""
        while True:
            try:
                while await self.run_once() > 0:
                    pass
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("deadline check failed; will retry")
            await asyncio.sleep(self._poll_s)

    async def run_once(self, limit: int = 50) -> int:
        """Handle the deadlines due now; returns how many."""
        async with self._transaction() as session:
            now = self._now()
            rows = (await session.execute(
                select(deadlines).where(deadlines.c.fired_at.is_(None), deadlines.c.due_at <= now)
                .order_by(deadlines.c.due_at).limit(limit).with_for_update(skip_locked=True)
            )).all()
            for row in rows:
                await session.execute(deadlines.update().where(
                    deadlines.c.subject == row.subject, deadlines.c.kind == row.kind,
                    deadlines.c.due_at == row.due_at).values(fired_at=now))
                await self._handler(session, Due(row.subject, row.kind, row.due_at, row.tenant), now)
            if rows:
                await session.execute(delete(deadlines).where(deadlines.c.fired_at < now - self._keep_fired))
        self.fired += len(rows)
        return len(rows)
