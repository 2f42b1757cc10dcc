"""Staging case-penalty's events in the outbox, in the caller's transaction."""

from __future__ import annotations

from uuid import UUID

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from oneteam_contracts import new_event
from oneteam_eventbus import add_event, correlation_id


async def emit(session: AsyncSession, data: BaseModel, *, tenant: str, subject: object,
               correlation: UUID | None = None) -> None:
    """Publish `data` after commit; the correlation id is the flow's (the request's, if none given)."""
    await add_event(session, new_event(data, source="case_penalty", tenant=tenant, subject=str(subject),
                                       correlation_id=correlation or _current()))


def _current() -> UUID | None:
    value = correlation_id.get()
    try:
        return UUID(value) if value else None
    except ValueError:
        return None
