"""Versions of each tenant's responsibility list: who changed what, when."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from oneteam_dispatch.store.tables import responsibility_versions


async def latest(session: AsyncSession, tenant: str) -> tuple[int, dict[str, Any]] | None:
    """The newest version number and document, or None when the tenant has no list."""
    row = (await session.execute(
        select(responsibility_versions.c.version, responsibility_versions.c.document)
        .where(responsibility_versions.c.tenant == tenant)
        .order_by(responsibility_versions.c.version.desc()).limit(1)
    )).first()
    return (row.version, row.document) if row else None


async def add_version(session: AsyncSession, tenant: str, document: dict[str, Any], author: str,
                      note: str | None, now: datetime) -> int:
    """Store a new version (serialised per tenant, so two editors cannot both make version n)."""
    await session.execute(text("SELECT pg_advisory_xact_lock(hashtext('responsibilities:' || :tenant))"),
                          {"tenant": tenant})
    current = await session.scalar(select(func.max(responsibility_versions.c.version))
                                   .where(responsibility_versions.c.tenant == tenant))
    version = int(current or 0) + 1
    await session.execute(responsibility_versions.insert().values(
        tenant=tenant, version=version, document=document, author=author, note=note, changed_at=now))
    return version


async def history(session: AsyncSession, tenant: str) -> list[dict[str, Any]]:
    """Every version, newest first, with its author, time, note and document."""
    rows = (await session.execute(
        select(responsibility_versions).where(responsibility_versions.c.tenant == tenant)
        .order_by(responsibility_versions.c.version.desc())
    )).all()
    return [dict(row._mapping) for row in rows]
