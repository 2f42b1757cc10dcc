"""Officers and their position tracks."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Insert, func, literal, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.dml import UpdateBase

from oneteam_contracts import GeoPoint
from oneteam_dispatch.domain.assignments import OPEN_STATUSES
from oneteam_dispatch.domain.officers import Officer, OfficerStatus, Shift, TravelMode
from oneteam_dispatch.domain.positions import Fix
from oneteam_dispatch.store.tables import assignments, officer_positions, officers


def _shift_text(shift: Shift) -> str:
    end = "24:00" if shift.end == shift.start else shift.end.strftime("%H:%M")
    return f"{shift.start.strftime('%H:%M')}-{end}"


# What an officer is doing and where: set by orders and terminals, never by a registry file.
_LIVE = frozenset({"status", "lon", "lat", "position_at"})


async def upsert_officer(session: AsyncSession, officer: Officer, *, live_state: bool = True) -> None:
    """Create or update an officer's registry entry (a position given here has no fix time).

    With ``live_state=False`` (a roster re-loaded at start-up) an existing officer keeps their
    status and position: the file's are only a new officer's starting point, so a restart can
    never make an officer with open orders available again.
    """
    values: dict[str, Any] = {
        "id": officer.id, "tenant": officer.tenant, "name": officer.name, "team": officer.team,
        "skills": sorted(officer.skills), "status": officer.status.value, "department": officer.department,
        "district": officer.district, "mode": officer.mode.value,
        "shifts": [_shift_text(s) for s in officer.shifts],
    }
    if officer.position is not None:
        values.update(lon=officer.position.lon, lat=officer.position.lat, position_at=officer.position_at)
    statement = insert(officers).values(**values)
    await session.execute(statement.on_conflict_do_update(
        index_elements=[officers.c.id],
        set_={k: statement.excluded[k] for k in values if k != "id" and (live_state or k not in _LIVE)}))


def _workload() -> Any:
    return (select(func.count()).select_from(assignments)
            .where(assignments.c.officer_ids.any_() == officers.c.id,
                   assignments.c.status.in_([s.value for s in OPEN_STATUSES]))
            .correlate(officers).scalar_subquery().label("active_orders"))


async def get_officer(session: AsyncSession, officer_id: str, *, for_update: bool = False,
                      workload: bool = True) -> Officer | None:
    """One officer, or None. `workload=False` leaves `active_orders` at 0: counting them scans the
    open assignments, which a terminal streaming its fixes does not need."""
    query = select(officers, _workload() if workload else literal(0).label("active_orders")).where(
        officers.c.id == officer_id)
    if for_update:
        query = query.with_for_update(of=officers)
    row = (await session.execute(query)).first()
    return _officer(row._mapping) if row else None


async def list_officers(session: AsyncSession, tenant: str | None = None, *,
                        status: OfficerStatus | None = None, ids: Sequence[str] | None = None) -> list[Officer]:
    """Officers, optionally of one tenant, one status, or the given ids."""
    query = select(officers, _workload()).order_by(officers.c.id)
    if tenant is not None:
        query = query.where(officers.c.tenant == tenant)
    if status is not None:
        query = query.where(officers.c.status == status.value)
    if ids is not None:
        query = query.where(officers.c.id.in_(list(ids)))
    return [_officer(row._mapping) for row in (await session.execute(query)).all()]


async def set_status(session: AsyncSession, officer_ids: Sequence[str], status: OfficerStatus,
                     assigned_at: datetime | None = None) -> None:
    """Move officers to `status` (and note when they were last given an order)."""
    values: dict[str, Any] = {"status": status.value}
    if assigned_at is not None:
        values["last_assigned_at"] = assigned_at
    await session.execute(update(officers).where(officers.c.id.in_(list(officer_ids))).values(**values))


async def record_fixes(session: AsyncSession, officer_id: str, fixes: Sequence[Fix], newest: Fix | None,
                       now: datetime, event: Insert | None = None) -> int:
    """Keep the fixes in the track (a resent fix is ignored), move the latest position and stage
    `event` (the outbox row announcing it); how many fixes were new."""
    also: list[UpdateBase] = [part for part in (event,) if part is not None]
    if newest is not None:
        also.append(update(officers).where(officers.c.id == officer_id).values(
            lon=newest.position.lon, lat=newest.position.lat, position_at=newest.recorded_at))
    if not fixes:
        for statement in also:
            await session.execute(statement)
        return 0
    rows = [{"officer_id": officer_id, "recorded_at": f.recorded_at, "source": f.source.value,
             "lon": f.position.lon, "lat": f.position.lat, "accuracy_m": f.accuracy_m, "received_at": now}
            for f in fixes]
    keep = insert(officer_positions).values(rows).on_conflict_do_nothing().returning(officer_positions.c.officer_id)
    # One round trip for the track, the latest position and its event: a terminal sends a fix
    # every few seconds, so with thousands of officers these statements are most of dispatch's load.
    keep = keep.add_cte(*(part.cte(f"also_{n}") for n, part in enumerate(also)))
    return len((await session.execute(keep)).all())


async def track(session: AsyncSession, officer_id: str, since: datetime | None, limit: int) -> list[dict[str, Any]]:
    """An officer's fixes, oldest first, for replay."""
    query = (select(officer_positions).where(officer_positions.c.officer_id == officer_id)
             .order_by(officer_positions.c.recorded_at).limit(limit))
    if since is not None:
        query = query.where(officer_positions.c.recorded_at >= since)
    return [dict(row._mapping) for row in (await session.execute(query)).all()]


def _officer(row: Any) -> Officer:
    from oneteam_dispatch.config import parse_shift

    position = GeoPoint(lon=row["lon"], lat=row["lat"]) if row["lon"] is not None else None
    return Officer(id=row["id"], tenant=row["tenant"], name=row["name"], team=row["team"],
                   status=OfficerStatus(row["status"]), position=position, last_assigned_at=row["last_assigned_at"],
                   department=row["department"], district=row["district"], skills=frozenset(row["skills"]),
                   mode=TravelMode(row["mode"]), shifts=tuple(parse_shift(s) for s in row["shifts"]),
                   position_at=row["position_at"], active_orders=int(row["active_orders"] or 0))
