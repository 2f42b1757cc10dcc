"""Stored answers belong to a route, a caller and a key; they are purged after the retention period."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from oneteam_devstack.testing import Infra
from oneteam_servicekit import InvalidRequest
from oneteam_servicekit import idempotency as idem
from oneteam_servicekit.db import make_engine, make_sessions

pytestmark = pytest.mark.integration

OLD_TABLE = """CREATE TABLE idempotency_keys (
    scope varchar(200), key varchar(200), request_hash varchar(64) NOT NULL, status integer, body jsonb,
    created_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (scope, key))"""


@pytest.fixture
async def engine(infra: Infra) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(infra.fresh_database("idem"))
    yield engine
    await engine.dispose()


@pytest.fixture
async def sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    async with engine.begin() as conn:
        await conn.run_sync(idem.kit_metadata.create_all)
    return make_sessions(engine)


async def _first(sessions: async_sessionmaker[AsyncSession], caller: str, key: str, fingerprint: str,
                 answer: object) -> idem.StoredResponse | None:
    async with sessions.begin() as session:
        earlier = await idem.claim(session, "reports", key, fingerprint, caller=caller)
        if earlier is None:
            await idem.remember(session, "reports", key, 201, answer, caller=caller)
        return earlier


async def test_another_caller_with_the_same_key_gets_nothing_of_the_first_answer(
        sessions: async_sessionmaker[AsyncSession]) -> None:
    key = f"k-{uuid.uuid4()}"

    assert await _first(sessions, "sub:a", key, "h1", {"report_id": "A"}) is None
    assert await _first(sessions, "sub:b", key, "h1", {"report_id": "B"}) is None
    replay = await _first(sessions, "sub:a", key, "h1", {"report_id": "again"})

    assert replay == idem.StoredResponse(201, {"report_id": "A"})


async def test_the_same_caller_reusing_a_key_for_another_body_is_refused(
        sessions: async_sessionmaker[AsyncSession]) -> None:
    key = f"k-{uuid.uuid4()}"
    await _first(sessions, "sub:a", key, "h1", {"report_id": "A"})

    with pytest.raises(InvalidRequest, match="different request"):
        await _first(sessions, "sub:a", key, "h2", {"report_id": "X"})


async def test_answers_older_than_the_retention_period_are_purged(sessions: async_sessionmaker[AsyncSession]) -> None:
    old, fresh = f"old-{uuid.uuid4()}", f"fresh-{uuid.uuid4()}"
    await _first(sessions, "sub:a", old, "h", {})
    await _first(sessions, "sub:a", fresh, "h", {})
    async with sessions.begin() as session:
        await session.execute(text("UPDATE idempotency_keys SET created_at = now() - interval '2 days' "
                                   "WHERE key = :key"), {"key": old})

    async with sessions.begin() as session:
        forgotten = await idem.purge(session, datetime.now(UTC) - timedelta(hours=24))

    assert forgotten == 1
    assert await _first(sessions, "sub:a", old, "h", {"new": True}) is None  # runs afresh
    assert await _first(sessions, "sub:a", fresh, "h", {}) is not None


async def test_a_table_from_before_callers_is_upgraded_and_its_answers_replayed_to_nobody(
        engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        await conn.execute(text(OLD_TABLE))
        await conn.execute(text("INSERT INTO idempotency_keys (scope, key, request_hash, status, body) "
                                "VALUES ('reports', 'k', 'h', 201, '{\"report_id\": \"A\"}')"))
    for _ in range(2):  # every start runs it; the second finds nothing to do
        async with engine.begin() as conn:
            await idem.upgrade_schema(conn)

    sessions = make_sessions(engine)
    assert await _first(sessions, "anonymous", "k", "h", {"report_id": "B"}) is None
    async with engine.connect() as conn:
        primary = (await conn.execute(text(
            "SELECT string_agg(a.attname, ',' ORDER BY a.attname) FROM pg_index i JOIN pg_attribute a "
            "ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) "
            "WHERE i.indrelid = 'idempotency_keys'::regclass AND i.indisprimary"))).scalar()
    assert primary == "caller,key,scope"
