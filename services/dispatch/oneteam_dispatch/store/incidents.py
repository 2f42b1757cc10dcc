"""Incidents dispatch has heard of, and the command centre's queue of those nobody could take."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from oneteam_contracts import GeoPoint, Priority
from oneteam_dispatch.store.tables import incidents, waiting_incidents
from oneteam_servicekit.db import Prepared, one_of


@dataclass(frozen=True)
class IncidentRow:
    """An incident as dispatch keeps it."""

    id: UUID
    tenant: str
    category: str
    priority: Priority
    location: GeoPoint
    district: str | None
    grid: str | None
    state: str
    excluded: frozenset[str]
    reason: str | None
    event_id: UUID | None
    correlation_id: UUID | None
    reported_at: datetime
    received_at: datetime
    reopen_count: int = 0
    traceparent: str | None = None


@dataclass(frozen=True)
class Reported:
    """An incident as intake reported it, for `add_incidents`."""

    id: UUID
    tenant: str
    category: str
    priority: Priority
    location: GeoPoint
    district: str | None
    grid: str | None
    event_id: UUID | None
    correlation_id: UUID | None
    reported_at: datetime
    traceparent: str | None = None


# Built once; SQLAlchemy sends a list of rows as multi-row VALUES ("insertmanyvalues").
_ADD = insert(incidents).on_conflict_do_nothing().returning(incidents.c.id)


async def add_incidents(session: AsyncSession, reported: Sequence[Reported], now: datetime) -> set[UUID]:
    """Note reported incidents as pending a match, in one statement; the ids that were new."""
    if not reported:
        return set()
    rows = [{"id": r.id, "tenant": r.tenant, "category": r.category, "priority": r.priority.value,
             "lon": r.location.lon, "lat": r.location.lat, "district": r.district, "grid": r.grid,
             "state": "pending", "event_id": r.event_id, "correlation_id": r.correlation_id,
             "reported_at": r.reported_at, "received_at": now, "traceparent": r.traceparent} for r in reported]
    return set((await session.execute(_ADD, rows)).scalars())


async def claim_pending(session: AsyncSession, limit: int) -> list[IncidentRow]:
    """Pending incidents, oldest first, locked for this transaction; other replicas skip them."""
    rows = (await session.execute(
        select(incidents).where(incidents.c.state == "pending").order_by(incidents.c.received_at)
        .limit(limit).with_for_update(skip_locked=True)
    )).all()
    return [_incident(row._mapping) for row in rows]


async def get_incident(session: AsyncSession, incident_id: UUID, *, for_update: bool = False) -> IncidentRow | None:
    """One incident, or None."""
    row = (await session.execute(_GET_FOR_UPDATE if for_update else _GET, {"incident_id": incident_id})).first()
    return _incident(row._mapping) if row else None


# Built once, like the writes below: the consumers and the scheduler read incidents one by one.
_GET = select(incidents).where(incidents.c.id == bindparam("incident_id"))
_GET_FOR_UPDATE = _GET.with_for_update()


async def set_state(session: AsyncSession, incident_ids: Sequence[UUID], state: str, reason: str | None = None,
                    excluded: Sequence[str] | None = None) -> None:
    """Move incidents to `state` (pending, assigned, queued, closed)."""
    await session.execute(*state_update(incident_ids, state, reason, excluded))


# Statements built once (`oneteam_servicekit.db.Prepared`), the ids an array parameter.
_STATE = update(incidents).where(one_of(incidents.c.id, "state_ids")).values(
    state=bindparam("state_value"), reason=bindparam("state_reason"))
_STATE_EXCLUDING = _STATE.values(excluded=bindparam("state_excluded", type_=incidents.c.excluded.type))
_UNQUEUE = delete(waiting_incidents).where(one_of(waiting_incidents.c.incident_id, "unqueue_ids"))


def state_update(incident_ids: Sequence[UUID], state: str, reason: str | None = None,
                 excluded: Sequence[str] | None = None) -> Prepared:
    """The statement `set_state` runs, and its values."""
    values: dict[str, Any] = {"state_ids": list(incident_ids), "state_value": state, "state_reason": reason}
    if excluded is None:
        return _STATE, values
    return _STATE_EXCLUDING, {**values, "state_excluded": sorted(set(excluded))}


async def reopen(session: AsyncSession, *, id: UUID, tenant: str, category: str, priority: Priority,
                 location: GeoPoint, district: str | None, grid: str | None, reopen_count: int, reason: str,
                 event_id: UUID | None, correlation_id: UUID | None, reported_at: datetime, now: datetime) -> None:
    """The incident is pending a match again, as intake describes it now (known or not, once per count)."""
    values: dict[str, Any] = dict(
        tenant=tenant, category=category, priority=priority.value, lon=location.lon, lat=location.lat,
        district=district, grid=grid, state="pending", reason=reason, reopen_count=reopen_count,
        event_id=event_id, correlation_id=correlation_id)
    statement = insert(incidents).values(id=id, reported_at=reported_at, received_at=now, **values)
    # `excluded` (officers who let it down before) and the first report's times are kept.
    await session.execute(statement.on_conflict_do_update(index_elements=[incidents.c.id], set_=values))


# A closed incident keeps the priority it closed with; an unchanged one is not written again.
_SET_PRIORITY = update(incidents).where(
    incidents.c.id == bindparam("incident_id"), incidents.c.state != "closed",
    incidents.c.priority != bindparam("new_priority")).values(priority=bindparam("new_priority"))


async def set_priorities(session: AsyncSession, changes: Sequence[tuple[UUID, Priority]]) -> None:
    """Take incidents' priorities from intake (raised as more reports join them), in the order
    given: one statement for a fetch's merges (~70 a second at 100 reports/s)."""
    if changes:
        await session.execute(_SET_PRIORITY, [{"incident_id": incident_id, "new_priority": priority.value}
                                              for incident_id, priority in changes])


async def queue(session: AsyncSession, incident: IncidentRow, reason: str, since: datetime) -> None:
    """Put an incident on the command centre's queue (once)."""
    await set_state(session, [incident.id], "queued", reason)
    statement = insert(waiting_incidents).values(incident_id=incident.id, tenant=incident.tenant,
                                                 category=incident.category, reason=reason, since=since)
    await session.execute(statement.on_conflict_do_update(index_elements=[waiting_incidents.c.incident_id],
                                                          set_={"reason": reason}))


async def unqueue(session: AsyncSession, incident_id: UUID) -> None:
    """Take an incident off the queue."""
    await session.execute(*unqueueing([incident_id]))


def unqueueing(incident_ids: Sequence[UUID]) -> Prepared:
    """The statement taking incidents off the queue, and its values."""
    return _UNQUEUE, {"unqueue_ids": list(incident_ids)}


async def list_queue(session: AsyncSession, tenant: str | None) -> list[dict[str, Any]]:
    """The command centre's queue, oldest first."""
    query = select(waiting_incidents).order_by(waiting_incidents.c.since)
    if tenant is not None:
        query = query.where(waiting_incidents.c.tenant == tenant)
    return [dict(row._mapping) for row in (await session.execute(query)).all()]


async def open_incidents(session: AsyncSession, tenant: str) -> list[IncidentRow]:
    """Incidents not yet closed, oldest first (for the board)."""
    query = (select(incidents).where(incidents.c.tenant == tenant, incidents.c.state != "closed")
             .order_by(incidents.c.received_at).limit(1000))
    return [_incident(row._mapping) for row in (await session.execute(query)).all()]


def _incident(row: Any) -> IncidentRow:
    return IncidentRow(
        id=row["id"], tenant=row["tenant"], category=row["category"], priority=Priority(row["priority"]),
        location=GeoPoint(lon=row["lon"], lat=row["lat"]), district=row["district"], grid=row["grid"],
        state=row["state"], excluded=frozenset(row["excluded"]), reason=row["reason"], event_id=row["event_id"],
        correlation_id=row["correlation_id"], reported_at=row["reported_at"], received_at=row["received_at"],
        reopen_count=row["reopen_count"], traceparent=row["traceparent"],
    )
