"""Staging dispatch's events in the outbox, in the caller's transaction (see oneteam_eventbus.emit)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from pydantic import BaseModel
from sqlalchemy import Insert
from sqlalchemy.ext.asyncio import AsyncSession

from oneteam_eventbus import emit as stage
from oneteam_eventbus.outbox import emitted as staged
from oneteam_eventbus.outbox import emitted_values


async def emit(session: AsyncSession, data: BaseModel, *, tenant: str, subject: object,
               correlation: UUID | None = None) -> None:
    """Publish `data` from dispatch after commit."""
    await stage(session, data, source="dispatch", tenant=tenant, subject=subject, correlation=correlation)


def emitted(data: BaseModel, *, tenant: str, subject: object, correlation: UUID | None = None) -> Insert:
    """The outbox insert `emit` runs, for `oneteam_servicekit.db.Writes`."""
    return staged(data, source="dispatch", tenant=tenant, subject=subject, correlation=correlation)


def event_values(data: BaseModel, *, tenant: str, subject: object, correlation: UUID | None = None) -> dict[str, Any]:
    """The outbox row's values `emit` would write, for a statement that writes many rows."""
    return emitted_values(data, source="dispatch", tenant=tenant, subject=subject, correlation=correlation)

