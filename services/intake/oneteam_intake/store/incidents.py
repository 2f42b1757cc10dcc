"""Queries on incidents and the camera suppression table."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Insert, bindparam, case, func, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from oneteam_contracts import GeoPoint, IncidentResolution, Priority, ReportSource
from oneteam_intake.domain.reopen import Reopening
from oneteam_intake.domain.reports import Incident, IncidentStatus
from oneteam_intake.store.tables import camera_suppressions, incident_reopens, incidents
from oneteam_servicekit.db import Prepared, insert_all, named, one_of


async def lock(session: AsyncSession, name: str) -> None:
    """Serialise transactions that take the lock `name` until the current one ends.

    Used per (tenant, category): without it two reports of the same problem arriving together
    would each see no open incident and open two; other categories do not wait. And per
    sender's external id, so a re-send racing the first send cannot insert it twice.
    """
    await session.execute(_LOCK, {"key": _lock_key(name)})


_LOCK = text("SELECT pg_advisory_xact_lock(:key)")


async def lock_all(session: AsyncSession, names: list[str]) -> None:
    """Take the locks `names` in the order given, in one round trip (see `lock`)."""
    if names:
        # unnest yields the keys in array order, so the locks are taken in that order.
        await session.execute(_LOCK_ALL, {"keys": [_lock_key(name) for name in names]})


_LOCK_ALL = text("SELECT count(pg_advisory_xact_lock(key)) FROM unnest(CAST(:keys AS bigint[])) AS key")


def _lock_key(name: str) -> int:
    return int.from_bytes(hashlib.sha256(f"intake:{name}".encode()).digest()[:8], "big") >> 1


_INSERT = insert_all(incidents, "incident_", skip=("closed_at", "resolution", "close_note", "reopen_count"))
_MERGE = update(incidents).where(incidents.c.id == bindparam("merged_id")).values(
    report_count=bindparam("merged_count"), priority=bindparam("merged_priority"),
    last_report_at=bindparam("merged_at"), updated_at=bindparam("merged_at"))


def insertion(incident: Incident) -> Prepared:
    """The statement storing a newly opened incident, and its values."""
    return _INSERT, named("incident_", dict(
        id=incident.id, tenant=incident.tenant, category=incident.category, priority=incident.priority.value,
        lon=incident.location.lon, lat=incident.location.lat, description=incident.description,
        status=incident.status.value, report_count=incident.report_count, opened_at=incident.opened_at,
        updated_at=incident.opened_at, source=incident.source.value, district=incident.district,
        grid=incident.grid, last_report_at=incident.last_report_at,
    ))


def merge_update(incident: Incident) -> Prepared:
    """The statement storing an incident's count, priority and latest report time after a merge."""
    return _MERGE, {"merged_id": incident.id, "merged_count": incident.report_count,
                    "merged_priority": incident.priority.value, "merged_at": incident.last_report_at}


_GET = select(incidents).where(incidents.c.id == bindparam("id"))
_GET_FOR_UPDATE = _GET.with_for_update()


async def get(session: AsyncSession, incident_id: UUID, *, for_update: bool = False) -> Incident | None:
    """The incident, or None."""
    row = (await session.execute(_GET_FOR_UPDATE if for_update else _GET, {"id": incident_id})).first()
    return to_incident(row._mapping) if row else None


_OPEN_NEAR = select(incidents).where(
    incidents.c.tenant == bindparam("tenant"), incidents.c.category == bindparam("category"),
    incidents.c.status != "closed", incidents.c.last_report_at >= bindparam("since"),
    incidents.c.lon.between(bindparam("min_lon"), bindparam("max_lon")),
    incidents.c.lat.between(bindparam("min_lat"), bindparam("max_lat")),
)


# Takes the lock, then searches with a snapshot taken after it (migration 0004 says why).
_OPEN_NEAR_LOCKED = text("SELECT * FROM intake_open_near_locked(:key, :tenant, :category, :since, :min_lon, "
                         ":min_lat, :max_lon, :max_lat)")


async def open_near(session: AsyncSession, tenant: str, category: str, box: tuple[float, float, float, float],
                    since: datetime, *, lock: str | None = None) -> list[Incident]:
    """Open incidents of `category` inside `box` whose latest report is after `since`; with `lock`,
    taking that lock first (see `lock`) in the same round trip."""
    min_lon, min_lat, max_lon, max_lat = box
    values = {"tenant": tenant, "category": category, "since": since, "min_lon": min_lon, "max_lon": max_lon,
              "min_lat": min_lat, "max_lat": max_lat}
    if lock is not None:
        rows = (await session.execute(_OPEN_NEAR_LOCKED, {**values, "key": _lock_key(lock)})).all()
    else:
        rows = (await session.execute(_OPEN_NEAR, values)).all()
    return [to_incident(row._mapping) for row in rows]


async def set_status(session: AsyncSession, incident_id: UUID, status: IncidentStatus, at: datetime) -> None:
    """Move an incident to `status`."""
    await set_statuses(session, {incident_id: (status, at)})


# Bind names differ from the columns': SQLAlchemy reserves those in an UPDATE's SET.
_SET_STATUS = update(incidents).where(incidents.c.id == bindparam("moved_id")).values(
    status=bindparam("moved_status"), updated_at=bindparam("moved_at"),
    closed_at=case((bindparam("moved_status") == IncidentStatus.CLOSED.value, bindparam("moved_at")),
                   else_=incidents.c.closed_at))


async def set_statuses(session: AsyncSession, moves: Mapping[UUID, tuple[IncidentStatus, datetime]]) -> None:
    """Move incidents to new statuses (closing dates the closure), in one statement."""
    if moves:
        await session.execute(_SET_STATUS, [{"moved_id": incident_id, "moved_status": status.value, "moved_at": at}
                                            for incident_id, (status, at) in moves.items()])


async def close(session: AsyncSession, incident_id: UUID, resolution: IncidentResolution, at: datetime,
                note: str | None = None) -> None:
    """Close an incident with its resolution and the command centre's note."""
    await session.execute(update(incidents).where(incidents.c.id == incident_id).values(
        status=IncidentStatus.CLOSED.value, resolution=resolution.value, closed_at=at, updated_at=at,
        close_note=note))


async def reopen(session: AsyncSession, reopening: Reopening, by: str, comment: str | None) -> None:
    """Open a closed incident again, recording the closure it undoes."""
    incident = reopening.incident
    resolution = await resolution_of(session, incident.id)
    await session.execute(incident_reopens.insert().values(
        incident_id=incident.id, number=reopening.reopen_count, reason=reopening.reason.value, by=by,
        comment=comment, closed_at=reopening.closed_at, resolution=resolution, reopened_at=reopening.at))
    await session.execute(update(incidents).where(incidents.c.id == incident.id).values(
        status=incident.status.value, closed_at=None, resolution=None, close_note=None,
        reopen_count=reopening.reopen_count, last_report_at=incident.last_report_at, updated_at=reopening.at))


async def last_reopened_at(session: AsyncSession, incident_id: UUID) -> datetime | None:
    """When the incident was last reopened, or None."""
    return (await last_reopenings(session, [incident_id])).get(incident_id)


_LAST_REOPENED = (select(incident_reopens.c.incident_id, func.max(incident_reopens.c.reopened_at).label("at"))
                  .where(one_of(incident_reopens.c.incident_id, "ids"))
                  .group_by(incident_reopens.c.incident_id))


async def last_reopenings(session: AsyncSession, incident_ids: Sequence[UUID]) -> dict[UUID, datetime]:
    """When each of the incidents was last reopened (those never reopened are left out)."""
    if not incident_ids:
        return {}
    return {row.incident_id: row.at for row in await session.execute(_LAST_REOPENED, {"ids": list(incident_ids)})}


async def reopens_of(session: AsyncSession, incident_id: UUID) -> list[dict[str, Any]]:
    """The incident's reopenings, first first (reason, by, the closure undone, when)."""
    rows = (await session.execute(select(incident_reopens).where(incident_reopens.c.incident_id == incident_id)
                                  .order_by(incident_reopens.c.number))).all()
    return [dict(row._mapping) for row in rows]


async def resolution_of(session: AsyncSession, incident_id: UUID) -> str | None:
    """How the incident was closed, if it was closed here."""
    value = await session.scalar(select(incidents.c.resolution).where(incidents.c.id == incident_id))
    return str(value) if value is not None else None


async def listing(session: AsyncSession, tenant: str | None, status: str | None, category: str | None,
                  limit: int) -> list[Incident]:
    """Incidents, newest report first, optionally filtered."""
    query = select(incidents).order_by(incidents.c.last_report_at.desc()).limit(limit)
    if tenant is not None:
        query = query.where(incidents.c.tenant == tenant)
    if status is not None:
        query = query.where(incidents.c.status == status)
    if category is not None:
        query = query.where(incidents.c.category == category)
    return [to_incident(row._mapping) for row in (await session.execute(query)).all()]


async def suppression(session: AsyncSession, tenant: str, camera_id: str,
                      label: str) -> tuple[Incident, datetime] | None:
    """The incident a camera's label last fed and when, locked for this transaction."""
    row = (await session.execute(
        select(camera_suppressions.c.incident_id, camera_suppressions.c.last_seen_at).where(
            camera_suppressions.c.tenant == tenant, camera_suppressions.c.camera_id == camera_id,
            camera_suppressions.c.label == label).with_for_update()
    )).first()
    if row is None:
        return None
    incident = await get(session, row.incident_id, for_update=True)
    return (incident, row.last_seen_at) if incident is not None else None


def suppression_upsert(tenant: str, camera_id: str, label: str, incident_id: UUID, at: datetime) -> Insert:
    """The statement recording that the camera's label now feeds `incident_id`, as of `at`."""
    statement = pg_insert(camera_suppressions).values(
        tenant=tenant, camera_id=camera_id, label=label, incident_id=incident_id, last_seen_at=at)
    return statement.on_conflict_do_update(
        index_elements=[camera_suppressions.c.tenant, camera_suppressions.c.camera_id, camera_suppressions.c.label],
        set_={"incident_id": incident_id, "last_seen_at": at},
    )


def to_incident(row: Any) -> Incident:
    """An incident from its row."""
    return Incident(
        id=row["id"], tenant=row["tenant"], category=row["category"], priority=Priority(row["priority"]),
        location=GeoPoint(lon=row["lon"], lat=row["lat"]), description=row["description"],
        status=IncidentStatus(row["status"]), report_count=row["report_count"], opened_at=row["opened_at"],
        last_report_at=row["last_report_at"], source=ReportSource(row["source"]), district=row["district"],
        grid=row["grid"], closed_at=row["closed_at"], reopen_count=row["reopen_count"],
        close_note=row["close_note"],
    )


async def by_ids(session: AsyncSession, ids: list[UUID]) -> dict[UUID, Incident]:
    """Incidents by id (missing ones are left out)."""
    if not ids:
        return {}
    rows = (await session.execute(select(incidents).where(incidents.c.id.in_(ids)))).all()
    return {row.id: to_incident(row._mapping) for row in rows}
