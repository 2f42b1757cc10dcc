"""The archive of daily reports: kept once per tenant and day, listed, read back."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from oneteam_evaluation.store.tables import daily_reports


async def has(session: AsyncSession, tenant: str, day: date) -> bool:
    """Whether the tenant's report of `day` is archived."""
    found = await session.scalar(select(daily_reports.c.day).where(daily_reports.c.tenant == tenant,
                                                                     daily_reports.c.day == day))
    return found is not None


async def keep(session: AsyncSession, tenant: str, day: date, at: datetime, xlsx: bytes, pdf: bytes) -> None:
    """Archive a report; a replica that made the same one first keeps its copy."""
    await session.execute(insert(daily_reports).values(tenant=tenant, day=day, generated_at=at, xlsx=xlsx, pdf=pdf)
                          .on_conflict_do_nothing())


async def listed(session: AsyncSession, tenant: str) -> list[tuple[date, datetime]]:
    """The tenant's archived days and when each was made, newest first."""
    rows = await session.execute(select(daily_reports.c.day, daily_reports.c.generated_at)
                                 .where(daily_reports.c.tenant == tenant).order_by(daily_reports.c.day.desc()))
    return [(row.day, row.generated_at) for row in rows]


async def document(session: AsyncSession, tenant: str, day: date, kind: str) -> bytes | None:
    """One archived report as `kind` (xlsx or pdf), or None."""
    found: bytes | None = await session.scalar(select(daily_reports.c[kind]).where(
        daily_reports.c.tenant == tenant, daily_reports.c.day == day))
    return found
