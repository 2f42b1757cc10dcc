"""Set-based reads and writes for a camera batch: a few statements for the whole batch, not per detection."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import bindparam, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from oneteam_eventbus.tables import outbox
from oneteam_intake.domain.reports import Incident
from oneteam_intake.store.incidents import to_incident
from oneteam_intake.store.tables import camera_suppressions, incidents, reports

# Incidents the batch may join: those the cameras' suppression rows point at, and the open ones
# inside any detection's search box and window. One statement: PostgreSQL walks the open-incident
# index once per search box, and locks each incident found once, as the one-by-one path does.
_NEAR_ANY = text("""
SELECT * FROM incidents WHERE id = ANY(CAST(:ids AS uuid[])) OR id IN (
  SELECT near.id FROM unnest(CAST(:categories AS text[]), CAST(:min_lon AS float8[]), CAST(:min_lat AS float8[]),
                             CAST(:max_lon AS float8[]), CAST(:max_lat AS float8[]),
                             CAST(:since AS timestamptz[])) AS box(category, min_lon, min_lat, max_lon, max_lat, since)
  JOIN incidents AS near ON near.tenant = :tenant AND near.category = box.category AND near.status <> 'closed'
   AND near.last_report_at >= box.since AND near.lon BETWEEN box.min_lon AND box.max_lon
   AND near.lat BETWEEN box.min_lat AND box.max_lat)
FOR UPDATE
""")

Search = tuple[str, tuple[float, float, float, float], datetime]  # category, box, since


async def incidents_for(session: AsyncSession, tenant: str, ids: Sequence[UUID],
                        searches: Sequence[Search]) -> list[Incident]:
    """The incidents with `ids` and the open ones matching any search, locked for this transaction."""
    if not ids and not searches:
        return []
    rows = (await session.execute(_NEAR_ANY, {
        "ids": list(ids), "tenant": tenant, "categories": [s[0] for s in searches],
        "min_lon": [s[1][0] for s in searches], "min_lat": [s[1][1] for s in searches],
        "max_lon": [s[1][2] for s in searches], "max_lat": [s[1][3] for s in searches],
        "since": [s[2] for s in searches],
    })).all()
    return [to_incident(row._mapping) for row in rows]


async def suppressions(session: AsyncSession, tenant: str,
                       pairs: set[tuple[str, str]]) -> dict[tuple[str, str], tuple[UUID, datetime]]:
    """(camera, label) → the incident it last fed and when, locked for this transaction."""
    if not pairs:
        return {}
    c = camera_suppressions.c
    rows = (await session.execute(
        select(c.camera_id, c.label, c.incident_id, c.last_seen_at).where(
            c.tenant == tenant, c.camera_id.in_(sorted({p[0] for p in pairs})),
            c.label.in_(sorted({p[1] for p in pairs}))).with_for_update()
    )).all()
    return {(row.camera_id, row.label): (row.incident_id, row.last_seen_at) for row in rows
            if (row.camera_id, row.label) in pairs}


async def sent_before(session: AsyncSession, tenant: str,
                      keys: set[tuple[str, str]]) -> dict[tuple[str, str], tuple[UUID, UUID | None]]:
    """(origin, external id) → (report, its incident) for those of `keys` already stored."""
    if not keys:
        return {}
    c = reports.c
    rows = (await session.execute(
        select(c.id, c.incident_id, c.origin, c.external_id).where(
            c.tenant == tenant, c.origin.in_(sorted({k[0] for k in keys})),
            c.external_id.in_(sorted({k[1] for k in keys})))
    )).all()
    return {(row.origin, row.external_id): (row.id, row.incident_id) for row in rows
            if (row.origin, row.external_id) in keys}


_MERGED = update(incidents).where(incidents.c.id == bindparam("b_id")).values(
    report_count=bindparam("b_count"), priority=bindparam("b_priority"), last_report_at=bindparam("b_at"),
    updated_at=bindparam("b_at"))

_SUPPRESSED = pg_insert(camera_suppressions)
_SUPPRESSED = _SUPPRESSED.on_conflict_do_update(
    index_elements=[camera_suppressions.c.tenant, camera_suppressions.c.camera_id, camera_suppressions.c.label],
    set_={"incident_id": _SUPPRESSED.excluded.incident_id, "last_seen_at": _SUPPRESSED.excluded.last_seen_at},
)


async def write(session: AsyncSession, *, opened: Sequence[Incident], merged: Sequence[Incident],
                report_rows: Sequence[dict[str, Any]], suppressed: Sequence[dict[str, Any]],
                events: Sequence[dict[str, Any]]) -> None:
    """Store the batch: new incidents, joined ones, reports, suppression rows, then events in order.

    Each kind is one multi-row statement; incidents go first, as reports point at them.
    """
    if opened:
        await session.execute(incidents.insert(), [_incident_row(incident) for incident in opened])
    if merged:
        await session.execute(_MERGED, [
            {"b_id": i.id, "b_count": i.report_count, "b_priority": i.priority.value, "b_at": i.last_report_at}
            for i in merged])
    if report_rows:
        await session.execute(reports.insert(), list(report_rows))
    if suppressed:
        await session.execute(_SUPPRESSED, list(suppressed))
    if events:
        await session.execute(outbox.insert(), list(events))


def _incident_row(incident: Incident) -> dict[str, Any]:
    return {
        "id": incident.id, "tenant": incident.tenant, "category": incident.category,
        "priority": incident.priority.value, "lon": incident.location.lon, "lat": incident.location.lat,
        "description": incident.description, "status": incident.status.value, "report_count": incident.report_count,
        "opened_at": incident.opened_at, "updated_at": incident.last_report_at, "source": incident.source.value,
        "district": incident.district, "grid": incident.grid, "last_report_at": incident.last_report_at,
    }
