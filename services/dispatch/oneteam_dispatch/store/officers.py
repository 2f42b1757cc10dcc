"""Officers and their position tracks."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Insert, bindparam, func, literal, or_, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from oneteam_contracts import GeoPoint, PositionSource
from oneteam_dispatch.domain.assignments import OPEN_STATUSES
from oneteam_dispatch.domain.officers import Officer, OfficerStatus, Shift, TravelMode
from oneteam_dispatch.domain.positions import Fix, TrackKey
from oneteam_dispatch.store.tables import assignments, officer_positions, officers
from oneteam_eventbus.tables import outbox


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


@dataclass(frozen=True)
class PositionRow:
    """What a position flush needs to know of an officer."""

    tenant: str
    position: GeoPoint | None
    position_at: datetime | None


async def lock_positions(session: AsyncSession, officer_ids: Sequence[str]) -> dict[str, PositionRow]:
    """Lock the officers' rows, in id order (every flush takes them in the same order), and read
    where they are; officers that do not exist are left out."""
    query = (select(officers.c.id, officers.c.tenant, officers.c.lon, officers.c.lat, officers.c.position_at)
             .where(officers.c.id.in_(list(officer_ids))).order_by(officers.c.id).with_for_update())
    return {row.id: PositionRow(row.tenant, None if row.lon is None else GeoPoint(lon=row.lon, lat=row.lat),
                                row.position_at)
            for row in (await session.execute(query)).all()}


_KEEP_FIXES = (insert(officer_positions).on_conflict_do_nothing()
               .returning(officer_positions.c.officer_id, officer_positions.c.recorded_at, officer_positions.c.source))
_MOVE = (update(officers).where(officers.c.id == bindparam("officer_id"),
                                or_(officers.c.position_at.is_(None), officers.c.position_at < bindparam("at")))
         .values(lon=bindparam("lon"), lat=bindparam("lat"), position_at=bindparam("at")))


async def write_positions(session: AsyncSession, fixes: Sequence[tuple[str, Fix]], latest: dict[str, Fix],
                          now: datetime, events: Sequence[Insert]) -> set[TrackKey]:
    """Add fixes to the tracks (a resent one is ignored), move officers to their newest fix (never
    back in recorded time) and stage the events; which fixes were new to the tracks.

    One statement per kind for the whole flush, each built once: with thousands of officers
    sending a fix every few seconds, building and sending statements per fix was most of
    dispatch's CPU.
    """
    kept: set[TrackKey] = set()
    if fixes:
        rows = [{"officer_id": officer_id, "recorded_at": f.recorded_at, "source": f.source.value,
                 "lon": f.position.lon, "lat": f.position.lat, "accuracy_m": f.accuracy_m, "received_at": now}
                for officer_id, f in fixes]
        result = await session.execute(_KEEP_FIXES, rows)
        kept = {(row.officer_id, row.recorded_at.astimezone(UTC), PositionSource(row.source)) for row in result}
    if latest:
        await session.execute(_MOVE, [{"officer_id": officer_id, "lon": f.position.lon, "lat": f.position.lat,
                                       "at": f.recorded_at} for officer_id, f in latest.items()])
    if events:
        await session.execute(insert(outbox), [_values(event) for event in events])
    return kept


def _values(statement: Insert) -> dict[str, Any]:
    """The column values of a single-row insert, to send many as one statement.

    `statement.compile().params` says the same publicly but compiles the SQL to do so, which was
    an eighth of dispatch's CPU at 400 fixes/s (py-spy); oneteam_eventbus could offer the
    outbox row's values beside `event_row` and make this unnecessary.
    """
    values: Mapping[Any, Any] = statement._values or {}
    return {column if isinstance(column, str) else column.key: bound.value for column, bound in values.items()}


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
