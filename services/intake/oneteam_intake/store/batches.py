"""Set-based reads and writes for a batch of reports (a camera batch, or reports that arrived
together): a few statements for the whole batch, not several per report."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from oneteam_eventbus.outbox import staging_arrays, staging_sql
from oneteam_intake.domain.reports import Incident
from oneteam_intake.store.incidents import to_incident

# Incidents the batch may join: those the cameras' suppression rows point at, and the open ones
# inside any detection's search box and window, in one statement. Read without row locks, as the
# one-by-one path searches (the category locks keep other intake writers out); `lock_joined` then
# locks the few the batch joins. Locking every candidate cost more than the search: some 200 rows
# a batch, each lock a write.
_NEAR = """
SELECT * FROM incidents WHERE id = ANY(CAST(:ids AS uuid[])) OR id IN (
  SELECT near.id FROM unnest(CAST(:tenants AS text[]), CAST(:categories AS text[]), CAST(:min_lon AS float8[]),
                             CAST(:min_lat AS float8[]), CAST(:max_lon AS float8[]), CAST(:max_lat AS float8[]),
                             CAST(:since AS timestamptz[]))
                      AS box(tenant, category, min_lon, min_lat, max_lon, max_lat, since)
  JOIN incidents AS near ON near.tenant = box.tenant AND near.category = box.category AND near.status <> 'closed'
   AND near.last_report_at >= box.since AND near.lon BETWEEN box.min_lon AND box.max_lon
   AND near.lat BETWEEN box.min_lat AND box.max_lat)
"""
_NEAR_ANY = text(_NEAR)
_NEAR_ANY_LOCKED = text(_NEAR + "FOR UPDATE")
_LOCK = text("SELECT * FROM incidents WHERE id = ANY(CAST(:ids AS uuid[])) ORDER BY id FOR UPDATE")

Search = tuple[str, str, tuple[float, float, float, float], datetime]  # tenant, category, box, since


async def incidents_for(session: AsyncSession, ids: Sequence[UUID], searches: Sequence[Search], *,
                        lock: bool = False) -> list[Incident]:
    """The incidents with `ids` and the open ones matching any search; with `lock`, each locked."""
    if not ids and not searches:
        return []
    rows = (await session.execute(_NEAR_ANY_LOCKED if lock else _NEAR_ANY, {
        "ids": list(ids), "tenants": [s[0] for s in searches], "categories": [s[1] for s in searches],
        "min_lon": [s[2][0] for s in searches], "min_lat": [s[2][1] for s in searches],
        "max_lon": [s[2][2] for s in searches], "max_lat": [s[2][3] for s in searches],
        "since": [s[3] for s in searches],
    })).all()
    return [to_incident(row._mapping) for row in rows]


async def lock_joined(session: AsyncSession, ids: Sequence[UUID]) -> dict[UUID, Incident]:
    """The incidents `ids` as they are now, locked for this transaction (in id order)."""
    if not ids:
        return {}
    rows = (await session.execute(_LOCK, {"ids": list(ids)})).all()
    return {row.id: to_incident(row._mapping) for row in rows}


# The batch's exact pairs as parallel arrays: one statement shape for any batch (an IN list of a
# batch's own length was prepared afresh for nearly every batch), and one unique-index look-up per
# pair. The LIMIT keeps each look-up a nested index scan: joined plainly with unnest(), PostgreSQL
# hashed every report of the tenant; with both columns as `= ANY` (as the IN lists were), it
# searched the index across cameras × ids. 11-30 ms a batch at 20 000 reports, 0.7 ms this way.
_SUPPRESSIONS = text("""
SELECT s.camera_id, s.label, s.incident_id, s.last_seen_at
FROM unnest(CAST(:cameras AS text[]), CAST(:labels AS text[])) AS k(camera_id, label)
CROSS JOIN LATERAL (SELECT camera_id, label, incident_id, last_seen_at FROM camera_suppressions
                    WHERE tenant = :tenant AND camera_id = k.camera_id AND label = k.label LIMIT 1 FOR UPDATE) AS s
""")
_SENT_BEFORE = text("""
SELECT r.id, r.incident_id, k.origin, k.external_id
FROM unnest(CAST(:origins AS text[]), CAST(:externals AS text[])) AS k(origin, external_id)
CROSS JOIN LATERAL (SELECT id, incident_id FROM reports
                    WHERE tenant = :tenant AND origin = k.origin AND external_id = k.external_id LIMIT 1) AS r
""")


async def suppressions(session: AsyncSession, tenant: str,
                       pairs: set[tuple[str, str]]) -> dict[tuple[str, str], tuple[UUID, datetime]]:
    """(camera, label) → the incident it last fed and when, locked for this transaction."""
    if not pairs:
        return {}
    ordered = sorted(pairs)
    rows = (await session.execute(_SUPPRESSIONS, {"tenant": tenant, "cameras": [p[0] for p in ordered],
                                                  "labels": [p[1] for p in ordered]})).all()
    return {(row.camera_id, row.label): (row.incident_id, row.last_seen_at) for row in rows}


async def sent_before(session: AsyncSession, tenant: str,
                      keys: set[tuple[str, str]]) -> dict[tuple[str, str], tuple[UUID, UUID | None]]:
    """(origin, external id) → (report, its incident) for those of `keys` already stored."""
    if not keys:
        return {}
    ordered = list(keys)
    rows = (await session.execute(_SENT_BEFORE, {"tenant": tenant, "origins": [k[0] for k in ordered],
                                                 "externals": [k[1] for k in ordered]})).all()
    return {(row.origin, row.external_id): (row.id, row.incident_id) for row in rows}


# The whole batch's writes in one round trip and one statement shape, whatever the batch holds:
# each kind of row arrives as parallel arrays (a multi-row VALUES or an executemany was compiled,
# prepared and sent afresh per kind and per length, five round trips while the category locks are
# held). Reports point at incidents opened by the same statement: the foreign-key checks run at
# its end, when every part has run. Events keep the order decided, which the outbox's sequence
# turns into publication order. JSON values come as text, one per row, each parsed once: one
# JSON document of the whole column, indexed by row number, was parsed again for every row.
_WRITE = text("""
WITH opened AS (
  INSERT INTO incidents (id, tenant, category, priority, lon, lat, description, status, report_count, opened_at,
                         updated_at, source, district, grid, last_report_at)
  SELECT i.id, i.tenant, i.category, i.priority, i.lon, i.lat, i.description, i.status, i.report_count,
         i.opened_at, i.last_report_at, i.source, i.district, i.grid, i.last_report_at
  FROM unnest(CAST(:i_id AS uuid[]), CAST(:i_tenant AS text[]), CAST(:i_category AS text[]),
              CAST(:i_priority AS text[]), CAST(:i_lon AS float8[]), CAST(:i_lat AS float8[]),
              CAST(:i_description AS text[]), CAST(:i_status AS text[]), CAST(:i_report_count AS int[]),
              CAST(:i_opened_at AS timestamptz[]), CAST(:i_last_report_at AS timestamptz[]),
              CAST(:i_source AS text[]), CAST(:i_district AS text[]), CAST(:i_grid AS text[]))
       AS i(id, tenant, category, priority, lon, lat, description, status, report_count, opened_at, last_report_at,
            source, district, grid)
), merged AS (
  UPDATE incidents SET report_count = m.report_count, priority = m.priority, last_report_at = m.at, updated_at = m.at
  FROM unnest(CAST(:m_id AS uuid[]), CAST(:m_report_count AS int[]), CAST(:m_priority AS text[]),
              CAST(:m_at AS timestamptz[])) AS m(id, report_count, priority, at)
  WHERE incidents.id = m.id
), stored AS (
  INSERT INTO reports (id, incident_id, tenant, source, client_report_id, received_at, state, category, description,
                       lon, lat, district, grid, origin, external_id, reporter_subject, photo_ids, detail)
  SELECT r.id, r.incident_id, r.tenant, r.source, r.client_report_id, r.received_at, r.state, r.category,
         r.description, r.lon, r.lat, r.district, r.grid, r.origin, r.external_id, r.reporter_subject,
         CAST(r.photo_ids AS jsonb), CAST(r.detail AS jsonb)
  FROM unnest(CAST(:r_id AS uuid[]), CAST(:r_incident_id AS uuid[]), CAST(:r_tenant AS text[]),
              CAST(:r_source AS text[]), CAST(:r_client_report_id AS text[]), CAST(:r_received_at AS timestamptz[]),
              CAST(:r_state AS text[]), CAST(:r_category AS text[]), CAST(:r_description AS text[]),
              CAST(:r_lon AS float8[]), CAST(:r_lat AS float8[]), CAST(:r_district AS text[]),
              CAST(:r_grid AS text[]), CAST(:r_origin AS text[]), CAST(:r_external_id AS text[]),
              CAST(:r_reporter_subject AS text[]), CAST(:r_photo_ids AS text[]), CAST(:r_detail AS text[]))
       AS r(id, incident_id, tenant, source, client_report_id, received_at, state, category, description, lon, lat,
            district, grid, origin, external_id, reporter_subject, photo_ids, detail)
), contacts AS (
  INSERT INTO reporter_contacts (report_id, name, phone, email)
  SELECT c.report_id, c.name, c.phone, c.email
  FROM unnest(CAST(:c_report_id AS uuid[]), CAST(:c_name AS text[]), CAST(:c_phone AS text[]),
              CAST(:c_email AS text[])) AS c(report_id, name, phone, email)
), seen AS (
  INSERT INTO camera_suppressions (tenant, camera_id, label, incident_id, last_seen_at)
  SELECT s.tenant, s.camera_id, s.label, s.incident_id, s.last_seen_at
  FROM unnest(CAST(:s_tenant AS text[]), CAST(:s_camera_id AS text[]), CAST(:s_label AS text[]),
              CAST(:s_incident_id AS uuid[]), CAST(:s_last_seen_at AS timestamptz[]))
       AS s(tenant, camera_id, label, incident_id, last_seen_at)
  ON CONFLICT (tenant, camera_id, label)
  DO UPDATE SET incident_id = excluded.incident_id, last_seen_at = excluded.last_seen_at
)
""" + staging_sql("e_"))

_INCIDENT = ("id", "tenant", "category", "priority", "lon", "lat", "description", "status", "report_count",
             "opened_at", "last_report_at", "source", "district", "grid")
_REPORT = ("id", "incident_id", "tenant", "source", "client_report_id", "received_at", "state", "category",
           "description", "lon", "lat", "district", "grid", "origin", "external_id", "reporter_subject")
_CONTACT = ("report_id", "name", "phone", "email")
_SUPPRESSION = ("tenant", "camera_id", "label", "incident_id", "last_seen_at")


async def write(session: AsyncSession, *, opened: Sequence[Incident], merged: Sequence[Incident],
                report_rows: Sequence[dict[str, Any]], events: Sequence[dict[str, Any]],
                contacts: Sequence[dict[str, Any]] = (), suppressed: Sequence[dict[str, Any]] = ()) -> None:
    """Store a batch in one statement: new incidents, joined ones, reports, reporters' contacts,
    suppression rows and events in order. Report rows carry `photo_ids` and `detail` (JSON)
    besides `_REPORT`; events are `outbox_values` rows."""
    opened_rows = [_incident_row(incident) for incident in opened]
    await session.execute(_WRITE, {
        **_columns("i_", _INCIDENT, opened_rows),
        "m_id": [i.id for i in merged], "m_report_count": [i.report_count for i in merged],
        "m_priority": [i.priority.value for i in merged], "m_at": [i.last_report_at for i in merged],
        **_columns("r_", _REPORT, report_rows), "r_detail": [json.dumps(row["detail"]) for row in report_rows],
        "r_photo_ids": [json.dumps(row["photo_ids"]) for row in report_rows],
        **_columns("c_", _CONTACT, contacts),
        **_columns("s_", _SUPPRESSION, suppressed),
        **staging_arrays(events, "e_"),
    })


def _columns(prefix: str, names: tuple[str, ...], rows: Sequence[dict[str, Any]]) -> dict[str, list[Any]]:
    """Rows turned into one array per column, as the statement's parameters `prefix` + name."""
    return {prefix + name: [row[name] for row in rows] for name in names}


def _incident_row(incident: Incident) -> dict[str, Any]:
    return {
        "id": incident.id, "tenant": incident.tenant, "category": incident.category,
        "priority": incident.priority.value, "lon": incident.location.lon, "lat": incident.location.lat,
        "description": incident.description, "status": incident.status.value,
        "report_count": incident.report_count, "opened_at": incident.opened_at,
        "last_report_at": incident.last_report_at, "source": incident.source.value, "district": incident.district,
        "grid": incident.grid,
    }
