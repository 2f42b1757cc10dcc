"""Document numbers: one sequence per tenant, document kind and year, never reused."""

from __future__ import annotations

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from oneteam_case_penalty.store.tables import document_numbers


async def next_number(session: AsyncSession, tenant: str, kind: str, year: int) -> int:
    """The next number of the sequence, taken in the caller's transaction (a rollback gives it back)."""
    statement = insert(document_numbers).values(tenant=tenant, kind=kind, year=year, last=1)
    statement = statement.on_conflict_do_update(index_elements=["tenant", "kind", "year"],
                                                set_={"last": document_numbers.c.last + 1})
    return int((await session.execute(statement.returning(document_numbers.c.last))).scalar_one())
