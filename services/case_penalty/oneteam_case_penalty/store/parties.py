"""Parties' protected data, kept apart from cases."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
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
        # A later case that gives no contact keeps the one an earlier case gave.
        set_={"identifier_enc": func.coalesce(statement.excluded.identifier_enc, parties.c.identifier_enc),
              "contact_enc": func.coalesce(statement.excluded.contact_enc, parties.c.contact_enc)}))


async def sealed(session: AsyncSession, party_ref: str) -> tuple[bytes | None, bytes | None]:
    """The encrypted identifier and contact of a party, where they were kept."""
    row = (await session.execute(select(parties.c.identifier_enc, parties.c.contact_enc)
                                 .where(parties.c.party_ref == party_ref))).first()
    if row is None:
        return None, None
    return (bytes(row.identifier_enc) if row.identifier_enc is not None else None,
            bytes(row.contact_enc) if row.contact_enc is not None else None)
