"""The one order in which every dispatch transaction takes its locks.

    1. incident rows (``dispatch_incidents``)
    2. assignment rows (and their ``deadlines`` rows)
    3. the tenant's advisory lock (``lock_tenant``), held by whoever hands out officers
    4. officer rows

A transaction may skip a level but never go back up one: two transactions that both
follow the order can wait for each other but never deadlock. Officers' own requests start
at level 1 too (the incident of their order), because reporting an outcome changes the
incident; the deadline scheduler claims incident, assignment and deadline rows together
with ``SKIP LOCKED`` so it never waits behind an officer acting on the same order.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession


async def lock_tenant(session: AsyncSession, tenant: str) -> None:
    """Serialise everything that hands out a tenant's officers, across replicas, until commit."""
    await session.execute(text("SELECT pg_advisory_xact_lock(hashtext('dispatch:' || :tenant))"),
                          {"tenant": tenant})
