"""The scheduler on real PostgreSQL: each due row is handled by exactly one of several replicas,
a handler's failure leaves the row for the next try, and cancelled rows never fire."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

from oneteam_deadlines.scheduler import Due, Scheduler, cancel, deadline_metadata, pending, schedule
from oneteam_devstack.testing import Infra

pytestmark = pytest.mark.integration
NOW = datetime(2026, 10, 8, 1, 0, tzinfo=UTC)


@pytest.fixture
async def sessions(infra: Infra) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_async_engine(infra.fresh_database("deadlines"))
    async with engine.begin() as connection:
        await connection.run_sync(deadline_metadata.create_all)
    yield async_sessionmaker(engine, expire_on_commit=False)
    await engine.dispose()


async def test_each_due_row_fires_once_across_three_replicas(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions.begin() as session:
        for n in range(30):
            await schedule(session, subject=f"case-{n}", kind="decision", due_at=NOW - timedelta(minutes=n),
                           tenant="330106004")
        await schedule(session, subject="later", kind="decision", due_at=NOW + timedelta(days=1), tenant="330106004")
    fired: list[Due] = []

    async def handler(session: AsyncSession, due: Due, now: datetime) -> None:
        fired.append(due)
        await asyncio.sleep(0.01)  # hold the row lock a moment, as real work would

    replicas = [Scheduler(sessions.begin, lambda: NOW, handler) for _ in range(3)]
    while sum(await asyncio.gather(*(r.run_once(limit=4) for r in replicas))):
        pass
    assert sorted(d.subject for d in fired) == sorted(f"case-{n}" for n in range(30))
    async with sessions() as session:
        assert [d.subject for d in await pending(session, "later")] == ["later"]


async def test_a_failing_handler_leaves_the_row_and_a_cancelled_row_never_fires(
        sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions.begin() as session:
        await schedule(session, subject="flaky", kind="service", due_at=NOW, tenant="330106004")
        await schedule(session, subject="done", kind="service", due_at=NOW, tenant="330106004")
        await cancel(session, subject="done")
    calls: list[str] = []

    async def handler(session: AsyncSession, due: Due, now: datetime) -> None:
        calls.append(due.subject)
        if len(calls) == 1:
            raise RuntimeError("broker down")

    scheduler = Scheduler(sessions.begin, lambda: NOW, handler)
    with pytest.raises(RuntimeError):
        await scheduler.run_once()
    assert await scheduler.run_once() == 1 and await scheduler.run_once() == 0
    assert calls == ["flaky", "flaky"]
