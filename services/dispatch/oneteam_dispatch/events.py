"""Staging dispatch's events in the outbox, in the caller's transaction (see oneteam_eventbus.emit)."""

from __future__ import annotations

from uuid import UUID

from pydantic import BaseModel
from sqlalchemy import Insert
from sqlalchemy.ext.asyncio import AsyncSession

from oneteam_eventbus import emit as stage
from oneteam_eventbus.outbox import emitted


async def emit(session: AsyncSession, data: BaseModel, *, tenant: str, subject: object,
               correlation: UUID | None = None) -> None:
    """Publish `data` from dispatch after commit."""
    await stage(session, data, source="dispatch", tenant=tenant, subject=subject, correlation=correlation)


def event_row(data: BaseModel, *, tenant: str, subject: object) -> Insert:
    """The outbox row `emit` would write, for a statement that carries other writes too."""
    return emitted(data, source="dispatch", tenant=tenant, subject=subject)
