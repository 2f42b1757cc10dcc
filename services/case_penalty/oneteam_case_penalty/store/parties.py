"""Parties' protected data, kept apart from cases."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from oneteam_case_penalty.store.tables import parties


async def keep(session: AsyncSession, party_ref: str, kind: str, identifier_enc: bytes | None,
               contact_enc: bytes | None, now: datetime) -> None:
    """Remember a party by reference; the newest encrypted copies win."""
    values = {"party_ref": party_ref, "kind": kind, "identifier_enc": identifier_enc, "contact_enc": contact_enc,
              "created_at": now}
    statement = insert(parties).values(**values)
    await session.execute(statement.on_conflict_do_update(
        index_elements=[parties.c.party_ref],
        set_={"identifier_enc": statement.excluded.identifier_enc, "contact_enc": statement.excluded.contact_enc}))


async def identifier_enc(session: AsyncSession, party_ref: str) -> bytes | None:
    """The encrypted identifier of a party, when one was kept."""
    value = (await session.execute(select(parties.c.identifier_enc).where(parties.c.party_ref == party_ref))).scalar()
    return bytes(value) if value is not None else None
