"""Staged writes go as one statement, whether built per request or once with named parameters."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, bindparam, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from oneteam_devstack.testing import Infra
from oneteam_servicekit import idempotency as idem
from oneteam_servicekit.db import Writes, make_engine, make_sessions

pytestmark = pytest.mark.integration

metadata = MetaData()
notes = Table("notes", metadata, Column("id", Integer, primary_key=True), Column("text", String(50)))
PREPARED = notes.insert().values(id=bindparam("note_id"), text=bindparam("note_text"))


@pytest.fixture
async def sessions(infra: Infra) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine: AsyncEngine = make_engine(infra.fresh_database("writes"))
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
        await conn.run_sync(idem.kit_metadata.create_all)
    yield make_sessions(engine)
    await engine.dispose()


async def test_prepared_and_per_request_writes_land_together_with_the_stored_answer(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions.begin() as session:
        assert await idem.claim(session, "notes", "k-1", "hash", caller="sub:x") is None
        writes = Writes()
        writes.add((PREPARED, {"note_id": 1, "note_text": "prepared"}))
        writes.add(notes.insert().values(id=2, text="built now"))
        writes.add(idem.prepared_answer("notes", "k-1", 201, {"ids": [1, 2]}, caller="sub:x"))
        await writes.run(session)
    for n in (3, 5):  # the same shape twice: the combined statement is reused with new values
        async with sessions.begin() as session:
            writes = Writes()
            writes.add((PREPARED, {"note_id": n, "note_text": f"note {n}"}))
            writes.add(idem.prepared_answer("notes", f"k-{n}", 200, {"n": n}, caller="sub:x"))
            await session.execute(idem.idempotency_keys.insert().values(
                scope="notes", caller="sub:x", key=f"k-{n}", request_hash="hash"))
            await writes.run(session)

    async with sessions() as session:
        texts = (await session.execute(select(notes.c.id, notes.c.text).order_by(notes.c.id))).all()
        replay = await idem.claim(session, "notes", "k-5", "hash", caller="sub:x")
        first = await idem.claim(session, "notes", "k-1", "hash", caller="sub:x")
    assert [tuple(row) for row in texts] == [(1, "prepared"), (2, "built now"), (3, "note 3"), (5, "note 5")]
    assert replay == idem.StoredResponse(200, {"n": 5}) and first == idem.StoredResponse(201, {"ids": [1, 2]})


def test_two_statements_staging_the_same_parameter_names_are_refused() -> None:
    # Sent together, the second's values would have overwritten the first's without a word.
    writes = Writes()
    writes.add((PREPARED, {"note_id": 1, "note_text": "first"}))
    with pytest.raises(ValueError, match="note_id"):
        writes.add((PREPARED, {"note_id": 2, "note_text": "second"}))
