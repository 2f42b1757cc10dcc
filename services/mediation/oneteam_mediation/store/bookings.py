"""Bookings of mediators, rooms and parties: read and written under one lock per tenant."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from sqlalchemy import insert, or_, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from oneteam_mediation.domain.scheduling import Booking, Resource
from oneteam_mediation.store.tables import bookings


async def lock(session: AsyncSession, tenant: str) -> None:
    """Serialise scheduling within a tenant: two requests cannot both see a slot free and take it."""
    await session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": f"bookings:{tenant}"})


async def overlapping(session: AsyncSession, tenant: str, wanted: Sequence[tuple[Resource, str]],
                      starts_at: datetime, ends_at: datetime) -> list[Booking]:
    """Existing bookings of any of `wanted`'s resources that overlap the time."""
    if not wanted:
        return []
    c = bookings.c
    rows = (await session.execute(select(bookings).where(
        c.tenant == tenant, c.starts_at < ends_at, c.ends_at > starts_at,
        or_(*[(c.resource == r.value) & (c.resource_id == i) for r, i in wanted])))).all()
    return [Booking(Resource(r.resource), r.resource_id, r.session_id, r.starts_at, r.ends_at) for r in rows]


async def add(session: AsyncSession, tenant: str, mediation_id: UUID, booked: Sequence[Booking]) -> None:
    """Hold the resources of a session."""
    await session.execute(insert(bookings), [
        {"tenant": tenant, "resource": b.resource.value, "resource_id": b.resource_id, "session_id": b.session_id,
         "mediation_id": mediation_id, "starts_at": b.starts_at, "ends_at": b.ends_at} for b in booked])


async def release_session(session: AsyncSession, session_id: UUID) -> None:
    """Free what one cancelled session held."""
    await session.execute(bookings.delete().where(bookings.c.session_id == session_id))


async def release(session: AsyncSession, mediation_id: UUID, after: datetime) -> None:
    """Free what a concluded mediation's future sessions held."""
    await session.execute(bookings.delete().where(bookings.c.mediation_id == mediation_id,
                                                  bookings.c.starts_at > after))
