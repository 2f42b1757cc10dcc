"""Staging dispatch's events in the outbox, in the caller's transaction (see oneteam_eventbus.emit)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from uuid import UUID

from pydantic import BaseModel
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from oneteam_eventbus import emit as stage
from oneteam_eventbus.outbox import emitted_values
from oneteam_eventbus.tables import outbox


async def emit(session: AsyncSession, data: BaseModel, *, tenant: str, subject: object,
               correlation: UUID | None = None) -> None:
    """Publish `data` from dispatch after commit."""
    await stage(session, data, source="dispatch", tenant=tenant, subject=subject, correlation=correlation)


def event_values(data: BaseModel, *, tenant: str, subject: object, correlation: UUID | None = None) -> dict[str, Any]:
    """The outbox row's values `emit` would write, for a statement that writes many rows."""
    return emitted_values(data, source="dispatch", tenant=tenant, subject=subject, correlation=correlation)


async def emit_all(session: AsyncSession, rows: Sequence[Mapping[str, Any]]) -> None:
    """Stage many events' outbox rows (made by `event_values`) with one statement, compiled once."""
    if rows:
        await session.execute(_STAGE, list(rows))


_STAGE = insert(outbox)
