"""The append-only trail, one hash chain per tenant."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from oneteam_case_penalty.domain.trail import Entry, chain
from oneteam_case_penalty.store.tables import trail


async def append(session: AsyncSession, tenant: str, case_id: str, action: str, actor: str, at: datetime,
                 detail: dict[str, Any]) -> Entry:
    """Add an entry after the tenant's last one; writers of one tenant take turns on an advisory lock."""
    await session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": f"trail:{tenant}"})
    row = (await session.execute(select(trail).where(trail.c.tenant == tenant)
                                 .order_by(trail.c.seq.desc()).limit(1))).first()
    prev = _entry(row) if row is not None else None
    # Hash what the database will give back: JSON values only.
    entry = chain(prev, case_id, action, actor, at, json.loads(json.dumps(detail, default=str)))
    await session.execute(insert(trail).values(tenant=tenant, seq=entry.seq, case_id=case_id, action=action,
                                               actor=actor, at=at, detail=entry.detail, prev_hash=entry.prev_hash,
                                               hash=entry.hash))
    return entry


async def entries(session: AsyncSession, tenant: str, case_id: str | None = None) -> list[Entry]:
    """The tenant's trail in order (or one case's entries)."""
    query = select(trail).where(trail.c.tenant == tenant).order_by(trail.c.seq)
    if case_id is not None:
        query = query.where(trail.c.case_id == case_id)
    return [_entry(r) for r in (await session.execute(query)).all()]


async def size(session: AsyncSession, tenant: str) -> int:
    """How many entries the tenant's trail has."""
    return int((await session.execute(select(func.count()).where(trail.c.tenant == tenant))).scalar() or 0)


def _entry(row: Any) -> Entry:
    return Entry(row.seq, row.case_id, row.action, row.actor, row.at, row.detail, row.prev_hash, row.hash)
