"""Staging dispatch's events in the outbox, in the caller's transaction (see oneteam_eventbus.emit)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from oneteam_eventbus import emit as stage
from oneteam_eventbus.outbox import emitted_values
from oneteam_servicekit.db import Prepared, outbox_insertion


async def emit(session: AsyncSession, data: BaseModel, *, tenant: str, subject: object,
               correlation: UUID | None = None) -> None:
    """Publish `data` from dispatch after commit."""
    await stage(session, data, source="dispatch", tenant=tenant, subject=subject, correlation=correlation)


def emitted(data: BaseModel, *, tenant: str, subject: object, correlation: UUID | None = None,
            prefix: str = "event_") -> Prepared:
    """The outbox insert `emit` runs, built once, and its values, for `oneteam_servicekit.db.Writes`
    (a second event in the same writes needs a `prefix` of its own)."""
    return outbox_insertion(event_values(data, tenant=tenant, subject=subject, correlation=correlation), prefix)


def event_values(data: BaseModel, *, tenant: str, subject: object, correlation: UUID | None = None) -> dict[str, Any]:
    """The outbox row's values `emit` would write, for a statement that writes many rows."""
    return emitted_values(data, source="dispatch", tenant=tenant, subject=subject, correlation=correlation)

