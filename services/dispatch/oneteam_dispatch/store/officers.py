"""Officers and their position tracks."""

from __future__ import annotations

import gc
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Double,
    Select,
    String,
    Subquery,
    Update,
    and_,
    any_,
    bindparam,
    column,
    exists,
    func,
    literal,
    literal_column,
    or_,
    select,
    type_coerce,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.types import NullType

from oneteam_contracts import GeoPoint, PositionSource
from oneteam_dispatch.config import parse_shift
from oneteam_dispatch.domain.assignments import OPEN_STATUSES
from oneteam_dispatch.domain.officers import Officer, OfficerStatus, Shift, TravelMode
from oneteam_dispatch.domain.positions import Fix, TrackKey
from oneteam_dispatch.domain.reach import Reach
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


# Written into the SQL as constants, so the planner can use the partial index of open orders
# (`assignments_open`) with a prepared statement's generic plan too.
_OPEN = [literal(s, literal_execute=True) for s in sorted(s.value for s in OPEN_STATUSES)]


def _open_orders(*where: ColumnElement[bool]) -> Subquery:
    """Open orders per officer in one grouped pass over the open assignments `where` holds.

    A count per officer (a correlated subquery) scanned the open assignments once for every
    officer listed: half of the matcher's roster read at 7 750 officers (py-spy, EXPLAIN).
    """
    member = (select(func.unnest(assignments.c.officer_ids).label("officer_id"))
              .where(assignments.c.status.in_(_OPEN), *where).subquery("member"))
    return (select(member.c.officer_id, func.count().label("active_orders"))
            .group_by(member.c.officer_id).subquery("open_orders"))


# The officers' columns, their arrays as asyncpg decodes them (lists): SQLAlchemy's ARRAY result
# processing walked every item of every row again (~6 us a row at 6 400 rows, cProfile).
_ROW = [type_coerce(c, NullType()).label(c.key) if isinstance(c.type, ARRAY) else c for c in officers.c]


def _with_orders(load: Subquery) -> Select[Any]:
    return (select(*_ROW, func.coalesce(load.c.active_orders, 0).label("active_orders"))
            .outerjoin(load, load.c.officer_id == officers.c.id))


async def get_officer(session: AsyncSession, officer_id: str, *, for_update: bool = False,
                      workload: bool = True) -> Officer | None:
    """One officer, or None. `workload=False` leaves `active_orders` at 0: a terminal streaming
    its fixes does not need them."""
    if workload:  # the GIN index on officer_ids finds this officer's orders
        query = _with_orders(_open_orders(assignments.c.officer_ids.contains([officer_id])))
    else:
        query = select(*_ROW, literal(0).label("active_orders"))
    query = query.where(officers.c.id == officer_id)
    if for_update:
        query = query.with_for_update(of=officers)
    row = (await session.execute(query)).first()
    return _officer(row) if row else None


async def list_officers(session: AsyncSession, tenant: str | None = None, *,
                        status: OfficerStatus | None = None, ids: Sequence[str] | None = None) -> list[Officer]:
    """Officers, optionally of one tenant, one status, or the given ids."""
    # An order's officers are of the order's tenant (matching and the command centre pick them
    # there), so a tenant's officers' orders are among the tenant's orders.
    where: list[ColumnElement[bool]] = []
    if tenant is not None:
        where.append(assignments.c.tenant == tenant)
    if ids is not None:
        where.append(assignments.c.officer_ids.overlap(list(ids)))
    query = _with_orders(_open_orders(*where)).order_by(officers.c.id)
    if tenant is not None:
        query = query.where(officers.c.tenant == tenant)
    if status is not None:
        query = query.where(officers.c.status == status.value)
    if ids is not None:
        query = query.where(officers.c.id.in_(list(ids)))
    result = await session.execute(query)
    with _no_collection():
        return [_officer(row) for row in result.all()]


_REACH = func.jsonb_to_recordset(bindparam("reach", type_=JSONB)).table_valued(
    column("department", String(64)), column("skills", ARRAY(String(64))), column("mode", String(16)),
    column("lon", Double), column("lat", Double), column("half_lon", Double), column("half_lat", Double),
).render_derived(with_types=True)


def _inside(reach: Any) -> ColumnElement[bool]:
    """The officer is of the reach's department and mode, has its skills and stands in its ellipse
    (the box first: cheap, and it spares the arithmetic for most rows)."""
    east = (officers.c.lon - reach.c.lon) / reach.c.half_lon
    north = (officers.c.lat - reach.c.lat) / reach.c.half_lat
    return and_(officers.c.department == reach.c.department, officers.c.mode == reach.c.mode,
                officers.c.skills.contains(reach.c.skills),
                officers.c.lon.between(reach.c.lon - reach.c.half_lon, reach.c.lon + reach.c.half_lon),
                officers.c.lat.between(reach.c.lat - reach.c.half_lat, reach.c.lat + reach.c.half_lat),
                east * east + north * north <= 1.0)


# A row version: the transaction that wrote the row and where the version lies. Every UPDATE
# writes a new version (a new xmin and ctid, also for a rollback's undone change, whose old
# version comes back with its old pair); a row lock does not.
_VERSION = literal_column("officers.xmin::text || '/' || officers.ctid::text", String).label("version")
_AVAILABLE_IN_REACH = (officers.c.tenant == bindparam("tenant"), officers.c.status == OfficerStatus.AVAILABLE.value,
                       exists(select(literal(1)).select_from(_REACH).where(_inside(_REACH))))
_REACHABLE = select(*_ROW).where(*_AVAILABLE_IN_REACH).order_by(officers.c.id)
_REACHABLE_VERSIONS = select(officers.c.id, _VERSION).where(*_AVAILABLE_IN_REACH).order_by(officers.c.id)
_BY_ID = select(*_ROW, _VERSION).where(officers.c.id == any_(bindparam("ids", type_=ARRAY(String))))
_TENANT_ORDERS = select(_open_orders(assignments.c.tenant == bindparam("tenant")))


class RosterRows:
    """Officers as last read, by row version, kept by a dispatch process across matches.

    A match reads only the id and version of each reachable officer's row and builds an Officer
    for the rows written since it last looked: at 7 750 officers building every row was most of
    the matcher's roster read, and so of each match (py-spy, the pipeline benchmark). Officers
    are frozen, so one built from an unchanged row is the same as a new one.
    """

    def __init__(self, limit: int = 100_000) -> None:
        self._rows: dict[str, tuple[str, Officer]] = {}
        self._limit = limit  # a roster of removed officers' rows is forgotten past this

    def known(self, officer_id: str, version: str) -> Officer | None:
        found = self._rows.get(officer_id)
        return found[1] if found is not None and found[0] == version else None

    def keep(self, version: str, officer: Officer) -> None:
        if len(self._rows) >= self._limit:
            self._rows.clear()
        self._rows[officer.id] = (version, officer)


async def reachable_officers(session: AsyncSession, tenant: str, reach: Sequence[Reach],
                             rows: RosterRows | None = None) -> list[Officer]:
    """The tenant's available officers inside `reach`: every officer matching could choose for
    the demands the reach was drawn for (`domain.reach`), in roster order.

    With `rows`, officers whose rows have not changed since they were read into it are not read again.
    """
    if not reach:
        return []
    document = [{"department": r.department, "skills": sorted(r.skills), "mode": r.mode.value, "lon": r.lon,
                 "lat": r.lat, "half_lon": r.half_lon, "half_lat": r.half_lat} for r in reach]
    params = {"tenant": tenant, "reach": document}
    if rows is None:
        result = await session.execute(_REACHABLE, params)
        with _no_collection():
            built = [_officer(row, 0) for row in result.all()]
    else:
        built = await _through(session, rows, params)
    if not built:
        return []
    # The counts in a statement of their own: joined to the reach's officers, whose number the
    # planner cannot foresee (it guessed one row), PostgreSQL rescanned the grouped counts once
    # per officer — 2.4 s at 4 000 officers (EXPLAIN ANALYZE); alone they take a millisecond or two.
    orders: dict[str, int] = {row.officer_id: row.active_orders
                              for row in await session.execute(_TENANT_ORDERS, {"tenant": tenant})}
    with _no_collection():
        return [_busy(officer, orders.get(officer.id, 0)) for officer in built]


async def _through(session: AsyncSession, rows: RosterRows, params: dict[str, Any]) -> list[Officer]:
    """The reachable officers, built only where `rows` does not hold their row's version."""
    with _no_collection():
        versions = (await session.execute(_REACHABLE_VERSIONS, params)).all()
        found = {officer_id: rows.known(officer_id, version) for officer_id, version in versions}
    changed = [officer_id for officer_id, officer in found.items() if officer is None]
    if changed:
        with _no_collection():
            for row in (await session.execute(_BY_ID, {"ids": changed})).all():
                officer = _officer(row, 0)
                rows.keep(row.version, officer)
                # Written since the first read (a new version, or gone): as the newer row says,
                # kept while available; the matcher checks the reach itself.
                found[row.id] = officer if officer.status is OfficerStatus.AVAILABLE else None
    return [officer for officer in found.values() if officer is not None]


def _busy(officer: Officer, active_orders: int) -> Officer:
    """The officer with their open orders counted (the same object when the count is theirs)."""
    if officer.active_orders == active_orders:
        return officer
    counted: Officer = object.__new__(Officer)
    counted.__dict__.update(officer.__dict__, active_orders=active_orders)
    return counted


async def set_status(session: AsyncSession, officer_ids: Sequence[str], status: OfficerStatus,
                     assigned_at: datetime | None = None) -> None:
    """Move officers to `status` (and note when they were last given an order)."""
    await session.execute(status_update(officer_ids, status, assigned_at))


def status_update(officer_ids: Sequence[str], status: OfficerStatus, assigned_at: datetime | None = None) -> Update:
    """The statement `set_status` runs."""
    values: dict[str, Any] = {"status": status.value}
    if assigned_at is not None:
        values["last_assigned_at"] = assigned_at
    return update(officers).where(officers.c.id.in_(list(officer_ids))).values(**values)


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
                          now: datetime, events: Sequence[Mapping[str, Any]]) -> set[TrackKey]:
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
        await session.execute(insert(outbox), list(events))
    return kept


async def track(session: AsyncSession, officer_id: str, since: datetime | None, limit: int) -> list[dict[str, Any]]:
    """An officer's fixes, oldest first, for replay."""
    query = (select(officer_positions).where(officer_positions.c.officer_id == officer_id)
             .order_by(officer_positions.c.recorded_at).limit(limit))
    if since is not None:
        query = query.where(officer_positions.c.recorded_at >= since)
    return [dict(row._mapping) for row in (await session.execute(query)).all()]


@contextmanager
def _no_collection() -> Iterator[None]:
    """No garbage collection while thousands of rows become officers (no await inside).

    Each of the collections their allocations set off walks the young objects and, now and
    then, every object of the process: with 6 400 rows a read took 170-280 ms with collection
    and 110-120 ms without (the pipeline's roster, embedded PostgreSQL, busy machine).
    Nothing built here is cyclic garbage; the next collection after the read sees it all.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@lru_cache(maxsize=256)
def _shifts(texts: tuple[str, ...]) -> tuple[Shift, ...]:
    return tuple(parse_shift(s) for s in texts)


# A roster read builds thousands of officers whose stored positions were validated (and made
# WGS-84) when written: built without validation, and shared while an officer stands still
# (GeoPoint is frozen). Together with plain lookups for the enums and attribute access to the
# row, building a row went from ~10 to ~2 us; py-spy had it at most of the matcher's read.
@lru_cache(maxsize=16_384)
def _point(lon: float, lat: float) -> GeoPoint:
    return GeoPoint.model_construct(lon=lon, lat=lat)


_STATUS = {s.value: s for s in OfficerStatus}
_MODE = {m.value: m for m in TravelMode}


def _officer(row: Any, active_orders: int | None = None) -> Officer:
    lon = row.lon
    # The frozen dataclass's __init__ sets each field through object.__setattr__: 5 of a row's
    # 7 us. Officer has no __post_init__ or slots to skip, and every value here comes checked
    # from the table, so the fields go straight into the instance (test_store_rows compares).
    officer: Officer = object.__new__(Officer)
    officer.__dict__.update(
        id=row.id, tenant=row.tenant, name=row.name, team=row.team, status=_STATUS[row.status],
        position=None if lon is None else _point(lon, row.lat), last_assigned_at=row.last_assigned_at,
        department=row.department, district=row.district, skills=frozenset(row.skills), mode=_MODE[row.mode],
        shifts=_shifts(tuple(row.shifts)) if row.shifts else (), position_at=row.position_at,
        active_orders=int(row.active_orders or 0) if active_orders is None else active_orders)
    return officer
