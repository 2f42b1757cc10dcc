"""Staging mediation's events in the outbox, in the caller's transaction."""

from __future__ import annotations

from uuid import UUID

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from oneteam_contracts import new_event
from oneteam_eventbus import add_event, correlation_id


async def emit(session: AsyncSession, data: BaseModel, *, tenant: str, subject: object) -> None:
    """Publish `data` after commit, carrying the flow's correlation id (the request's or the event's)."""
    await add_event(session, new_event(data, source="mediation", tenant=tenant, subject=str(subject),
                                       correlation_id=_current()))


def _current() -> UUID | None:
    value = correlation_id.get()
    try:
        return UUID(value) if value else None
    except ValueError:
        return None
