"""Staging mediation's events in the outbox, in the caller's transaction."""

from __future__ import annotations

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from oneteam_eventbus import emit as stage


async def emit(session: AsyncSession, data: BaseModel, *, tenant: str, subject: object) -> None:
    """Publish `data` from mediation after commit, carrying the flow's correlation id."""
    await stage(session, data, source="mediation", tenant=tenant, subject=subject)
