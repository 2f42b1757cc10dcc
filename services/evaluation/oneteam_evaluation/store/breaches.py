"""Open breaches of a tenant's targets: read, raise and close them (kpi.alert once per breach)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from oneteam_evaluation.domain.alerts import Breach
from oneteam_evaluation.store.tables import breaches


async def lock_tenant(session: AsyncSession, tenant: str) -> None:
    """Hold the tenant's breaches for this transaction, so two replicas never both raise one."""
    await session.execute(select(func.pg_advisory_xact_lock(func.hashtext("ev_kpi_breaches:" + tenant))))


async def open_breaches(session: AsyncSession, tenant: str) -> dict[str, Breach]:
    """The tenant's breaches not yet recovered, by KPI."""
    rows = (await session.execute(select(breaches.c.alert_id, breaches.c.kpi, breaches.c.started_at).where(
        breaches.c.tenant == tenant, breaches.c.recovered_at.is_(None)))).all()
    return {row.kpi: Breach(row.alert_id, row.kpi, row.started_at) for row in rows}


async def raise_breach(session: AsyncSession, tenant: str, breach: Breach, value: float, target: float) -> None:
    """Record a new breach (the caller holds the tenant's lock and found none open)."""
    await session.execute(breaches.insert().values(alert_id=breach.alert_id, tenant=tenant, kpi=breach.kpi,
                                                   started_at=breach.started_at, value=value, target=target))


async def close_breach(session: AsyncSession, breach: Breach, at: datetime) -> None:
    """Mark a breach recovered; the row stays as history."""
    await session.execute(update(breaches).where(breaches.c.alert_id == breach.alert_id).values(recovered_at=at))
