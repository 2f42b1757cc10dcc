"""Officers and their position tracks."""

from __future__ import annotations

import gc
import math
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    Boolean,
    ColumnElement,
    Double,
    Select,
    String,
    Subquery,
    and_,
    bindparam,
    column,
    exists,
    func,
    literal,
    literal_column,
    select,
    text,
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
from oneteam_dispatch.domain.reach import Reach, ReachTable, within
from oneteam_dispatch.store.tables import assignments, officer_positions, officers
from oneteam_eventbus.outbox import add_event_rows
from oneteam_servicekit.db import Prepared, one_of


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
    values = {"officer_id": officer_id, "member": [officer_id]}
    row = (await session.execute(_ONE[workload, for_update], values)).first()
    return _officer(row) if row else None


def _one(workload: bool, for_update: bool) -> Select[Any]:
    if workload:  # the GIN index on officer_ids finds this officer's orders
        member = bindparam("member", type_=assignments.c.officer_ids.type)
        query = _with_orders(_open_orders(assignments.c.officer_ids.contains(member)))
    else:
        query = select(*_ROW, literal(0).label("active_orders"))
    query = query.where(officers.c.id == bindparam("officer_id"))
    return query.with_for_update(of=officers) if for_update else query


_ONE = {(workload, for_update): _one(workload, for_update)
        for workload in (True, False) for for_update in (True, False)}


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


_AVAILABLE_IN_REACH = (officers.c.tenant == bindparam("tenant"), officers.c.status == OfficerStatus.AVAILABLE.value,
                       exists(select(literal(1)).select_from(_REACH).where(_inside(_REACH))))
# Roster order is code-point order of ids, the same in SQL and in RosterRows whatever the
# database's collation.
_BY_ID = officers.c.id.collate("C")
_REACHABLE = select(*_ROW).where(*_AVAILABLE_IN_REACH).order_by(_BY_ID)
_TENANT_ORDERS = select(_open_orders(assignments.c.tenant == bindparam("tenant")))

# Migration 0006 stamps every row with the transaction that last wrote it. The oldest
# transaction still running when a read starts marks where the next read begins.
_MARK = text("SELECT pg_snapshot_xmin(pg_current_snapshot())::text")
_OWN = literal_column("officers.changed_xid = pg_current_xact_id_if_assigned()", Boolean).label("own")
_EVERY = select(*_ROW, _OWN).order_by(_BY_ID)
_SINCE = select(*_ROW, _OWN).where(text("officers.changed_xid >= CAST(:since AS xid8)")).order_by(_BY_ID)


class RosterRows:
    """Every officer as last read, kept by a dispatch process across matches and brought up to
    date with only the rows written since the last read.

    Reading each reachable officer's row version every match took ~12 ms of PostgreSQL at
    7 750 officers (EXPLAIN ANALYZE), about half of PostgreSQL's CPU at 100 reports/s, and as
    much Python again (pipeline benchmark).

    Why no change is missed: a read first takes the oldest transaction still running, then
    reads (two statements, so the mark is never newer than what the read saw). The next read
    asks for the rows stamped by that transaction or a later one: a change the last read did
    not see was made by a transaction not yet finished when it began, so it is among them.
    Rows the reading transaction wrote itself are used for that read but not kept (a rollback
    would leave them behind); being newer than the mark, they are read again next time. The
    whole table is kept, not one tenant's, so an officer moved to another tenant leaves the
    old one; a deleted row leaves no stamp, so the whole table is read again every
    `full_every_s` (dispatch itself never deletes officers). The reach is tested on arrays
    kept per tenant (`ReachTable`), so a match does not build them from every officer again.
    """

    def __init__(self, full_every_s: float = 60.0) -> None:
        self._tenants: dict[str, dict[str, Officer]] = {}  # each tenant's officers in roster order
        self._tenant_of: dict[str, str] = {}
        # Each tenant's officers as the arrays the reach is tested on, slot i the i-th in roster
        # order; built at a tenant's first match, changed slot by slot after, dropped (to be
        # built again) when an officer joins or leaves the tenant.
        self._tables: dict[str, ReachTable] = {}
        self._mark: int | None = None  # a transaction id (xid8)
        self._read_all_at = -math.inf
        self._full_every_s = full_every_s

    async def available(self, session: AsyncSession, tenant: str) -> list[Officer]:
        """The tenant's available officers as `session` sees them now, in roster order."""
        own = await self._refresh(session)
        return self._available(tenant, own)

    async def reachable(self, session: AsyncSession, tenant: str, reach: Sequence[Reach]) -> list[Officer]:
        """`within(available(...), reach)`, tested on the tenant's kept arrays."""
        own = await self._refresh(session)
        if own:  # this transaction's own writes count for its read only: not in the kept arrays
            return within(self._available(tenant, own), reach)
        if tenant not in self._tables:
            self._tables[tenant] = ReachTable(list(self._tenants.get(tenant, {}).values()))
        table = self._tables[tenant]
        return table.pick(table.available & table.inside(reach))

    def _available(self, tenant: str, own: list[Officer]) -> list[Officer]:
        roster = self._tenants.get(tenant, {})
        if own:
            roster = dict(roster)
            for officer in own:
                roster.pop(officer.id, None)
                if officer.tenant == tenant:
                    roster[officer.id] = officer
            roster = dict(sorted(roster.items()))
        return [o for o in roster.values() if o.status is OfficerStatus.AVAILABLE]

    async def _refresh(self, session: AsyncSession) -> list[Officer]:
        """Bring the kept officers up to date; returns those `session`'s own transaction wrote."""
        mark = int(await session.scalar(_MARK))
        everything = self._mark is None or time.monotonic() - self._read_all_at >= self._full_every_s
        result = await session.execute(_EVERY) if everything else await session.execute(
            _SINCE, {"since": self._mark})
        own: list[Officer] = []
        with _no_collection():
            rows = result.all()
            if everything:
                self._tenants, self._tenant_of, self._tables = {}, {}, {}
                self._read_all_at = time.monotonic()
            unsorted: set[str] = set()
            for row in rows:
                officer = _officer(row, 0)
                if row.own:
                    own.append(officer)
                    continue
                before = self._tenant_of.get(officer.id)
                if before is not None and before != officer.tenant:
                    del self._tenants[before][officer.id]
                    self._tables.pop(before, None)
                roster = self._tenants.setdefault(officer.tenant, {})
                if officer.id not in roster and not everything:
                    unsorted.add(officer.tenant)  # a new officer: its place in roster order
                    self._tables.pop(officer.tenant, None)
                roster[officer.id] = officer
                self._tenant_of[officer.id] = officer.tenant
                if officer.tenant in self._tables:
                    self._tables[officer.tenant].put(officer)
            for tenant in unsorted:
                self._tenants[tenant] = dict(sorted(self._tenants[tenant].items()))
        self._mark = mark
        return own


async def reachable_officers(session: AsyncSession, tenant: str, reach: Sequence[Reach],
                             rows: RosterRows | None = None) -> list[Officer]:
    """The tenant's available officers inside `reach`: every officer matching could choose for
    the demands the reach was drawn for (`domain.reach`), in roster order.

    With `rows`, the officers are those it keeps, brought up to date, and the reach is tested
    here (`domain.reach.within`, the same tests as the SQL's).
    """
    if not reach:
        return []
    if rows is None:
        document = [{"department": r.department, "skills": sorted(r.skills), "mode": r.mode.value, "lon": r.lon,
                     "lat": r.lat, "half_lon": r.half_lon, "half_lat": r.half_lat} for r in reach]
        result = await session.execute(_REACHABLE, {"tenant": tenant, "reach": document})
        with _no_collection():
            built = [_officer(row, 0) for row in result.all()]
    else:
        built = await rows.reachable(session, tenant, reach)
    if not built:
        return []
    # The counts in a statement of their own: joined to the reach's officers, whose number the
    # planner cannot foresee (it guessed one row), PostgreSQL rescanned the grouped counts once
    # per officer — 2.4 s at 4 000 officers (EXPLAIN ANALYZE); alone they take a millisecond or two.
    orders: dict[str, int] = {row.officer_id: row.active_orders
                              for row in await session.execute(_TENANT_ORDERS, {"tenant": tenant})}
    with _no_collection():
        return [_busy(officer, orders.get(officer.id, 0)) for officer in built]


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
    await session.execute(*status_update(officer_ids, status, assigned_at))


_SET_STATUS = update(officers).where(one_of(officers.c.id, "status_ids")).values(status=bindparam("status_value"))
_SET_STATUS_ASSIGNED = _SET_STATUS.values(last_assigned_at=bindparam("status_assigned_at"))


def status_update(officer_ids: Sequence[str], status: OfficerStatus, assigned_at: datetime | None = None) -> Prepared:
    """The statement `set_status` runs, and its values (built once: `oneteam_servicekit.db.Prepared`)."""
    values: dict[str, Any] = {"status_ids": list(officer_ids), "status_value": status.value}
    if assigned_at is None:
        return _SET_STATUS, values
    return _SET_STATUS_ASSIGNED, {**values, "status_assigned_at": assigned_at}


@dataclass(frozen=True)
class PositionRow:
    """What a position flush needs to know of an officer."""

    tenant: str
    position: GeoPoint | None
    position_at: datetime | None


async def lock_positions(session: AsyncSession, officer_ids: Sequence[str]) -> dict[str, PositionRow]:
    """Lock the officers' rows, in id order (every flush takes them in the same order), and read
    where they are; officers that do not exist are left out."""
    return {row.id: PositionRow(row.tenant, None if row.lon is None else GeoPoint(lon=row.lon, lat=row.lat),
                                row.position_at)
            for row in (await session.execute(_LOCK_POSITIONS, {"lock_ids": list(officer_ids)})).all()}


# A flush's statements are one statement each whatever the flush's size, so PostgreSQL plans
# each once per connection: the fixes go as arrays, not a row of parameters each (a multi-row
# VALUES was a new statement, prepared again, for every count of fixes; the officers' moves a
# Bind and an Execute per officer, ~400 a second at the load test's rate).
_LOCK_POSITIONS = (select(officers.c.id, officers.c.tenant, officers.c.lon, officers.c.lat, officers.c.position_at)
                   .where(one_of(officers.c.id, "lock_ids")).order_by(officers.c.id).with_for_update())
_KEEP_FIXES = text("""
INSERT INTO officer_positions (officer_id, recorded_at, source, lon, lat, accuracy_m, received_at)
SELECT f.officer_id, f.recorded_at, f.source, f.lon, f.lat, f.accuracy_m, CAST(:received_at AS timestamptz)
FROM unnest(CAST(:officer_ids AS text[]), CAST(:recorded_ats AS timestamptz[]), CAST(:sources AS text[]),
            CAST(:lons AS float8[]), CAST(:lats AS float8[]), CAST(:accuracies AS float8[]))
     AS f(officer_id, recorded_at, source, lon, lat, accuracy_m)
ON CONFLICT DO NOTHING
RETURNING officer_id, recorded_at, source""")
# A row per officer (the flush's newest fix of each), so no officer row is matched twice.
_MOVE = text("""
UPDATE officers SET lon = m.lon, lat = m.lat, position_at = m.at
FROM unnest(CAST(:officer_ids AS text[]), CAST(:lons AS float8[]), CAST(:lats AS float8[]),
            CAST(:ats AS timestamptz[])) AS m(officer_id, lon, lat, at)
WHERE officers.id = m.officer_id AND (officers.position_at IS NULL OR officers.position_at < m.at)""")


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
        result = await session.execute(_KEEP_FIXES, {
            "officer_ids": [officer_id for officer_id, _ in fixes], "recorded_ats": [f.recorded_at for _, f in fixes],
            "sources": [f.source.value for _, f in fixes], "lons": [f.position.lon for _, f in fixes],
            "lats": [f.position.lat for _, f in fixes], "accuracies": [f.accuracy_m for _, f in fixes],
            "received_at": now})
        kept = {(row.officer_id, row.recorded_at.astimezone(UTC), PositionSource(row.source)) for row in result}
    if latest:
        moves = latest.values()
        await session.execute(_MOVE, {"officer_ids": list(latest), "lons": [f.position.lon for f in moves],
                                      "lats": [f.position.lat for f in moves], "ats": [f.recorded_at for f in moves]})
    await add_event_rows(session, events)
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
