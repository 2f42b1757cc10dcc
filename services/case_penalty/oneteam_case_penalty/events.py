"""Staging case-penalty's events in the outbox, in the caller's transaction (see oneteam_eventbus.emit)."""

from __future__ import annotations

from uuid import UUID

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from oneteam_eventbus import emit as stage


async def emit(session: AsyncSession, data: BaseModel, *, tenant: str, subject: object,
               correlation: UUID | None = None) -> None:
    """Publish `data` from case_penalty after commit."""
    await stage(session, data, source="case_penalty", tenant=tenant, subject=subject, correlation=correlation)
