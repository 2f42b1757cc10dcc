"""Dispatch's tables and queries."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy import Column, DateTime, Double, MetaData, String, Table, Text, select, update
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, insert
from sqlalchemy.dialects.postgresql import UUID as PgUUID
from sqlalchemy.ext.asyncio import AsyncSession

from oneteam_contracts import GeoPoint, Priority, SlaStage
from oneteam_dispatch.domain.assignments import Assignment, AssignmentStatus
from oneteam_dispatch.domain.officers import Officer, OfficerStatus

metadata = MetaData()

officers = Table(
    "officers",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("tenant", String(12), nullable=False, index=True),
    Column("name", String(100), nullable=False),
    Column("team", String(100), nullable=True),
    Column("skills", ARRAY(String(64)), nullable=False, server_default="{}"),
    Column("status", String(16), nullable=False),
    Column("lon", Double, nullable=True),
    Column("lat", Double, nullable=True),
    Column("last_assigned_at", DateTime(timezone=True), nullable=True),
)

assignments = Table(
    "assignments",
    metadata,
    Column("id", PgUUID(as_uuid=True), primary_key=True),
    Column("tenant", String(12), nullable=False),
    Column("incident_id", PgUUID(as_uuid=True), nullable=False, index=True),
    Column("officer_id", String(64), nullable=False, index=True),
    Column("category", String(64), nullable=False),
    Column("priority", String(16), nullable=False),
    Column("lon", Double, nullable=False),
    Column("lat", Double, nullable=False),
    Column("status", String(16), nullable=False),
    Column("reason", Text, nullable=False),
    Column("deadlines", JSONB, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

# Incidents nobody could take yet: the command centre's queue.
waiting_incidents = Table(
    "waiting_incidents",
    metadata,
    Column("incident_id", PgUUID(as_uuid=True), primary_key=True),
    Column("tenant", String(12), nullable=False, index=True),
    Column("category", String(64), nullable=False),
    Column("reason", Text, nullable=False),
    Column("since", DateTime(timezone=True), nullable=False),
)


async def upsert_officer(session: AsyncSession, officer: Officer, skills: list[str]) -> None:
    """Create or update an officer's registry entry."""
    values = {"id": officer.id, "tenant": officer.tenant, "name": officer.name, "team": officer.team,
              "skills": skills, "status": officer.status.value,
              "lon": officer.position.lon if officer.position else None,
              "lat": officer.position.lat if officer.position else None}
    statement = insert(officers).values(**values)
    await session.execute(statement.on_conflict_do_update(
        index_elements=[officers.c.id], set_={k: statement.excluded[k] for k in values if k != "id"}))


async def list_officers(session: AsyncSession, tenant: str | None = None, *,
                        lock_available: bool = False) -> list[Officer]:
    """Officers, optionally of one tenant; `lock_available` locks the free ones for a choice."""
    query = select(officers).order_by(officers.c.id)
    if tenant is not None:
        query = query.where(officers.c.tenant == tenant)
    if lock_available:
        # Two incidents handled at once must not both take the one free officer; the
        # second waits, and PostgreSQL re-checks the status once the first commits.
        query = query.where(officers.c.status == OfficerStatus.AVAILABLE.value).with_for_update()
    return [_officer(row._mapping) for row in (await session.execute(query)).all()]


async def mark_assigned(session: AsyncSession, officer_id: str, at: Any) -> None:
    """The officer has an order now."""
    await session.execute(update(officers).where(officers.c.id == officer_id)
                          .values(status=OfficerStatus.ASSIGNED.value, last_assigned_at=at))


async def add_assignment(session: AsyncSession, assignment: Assignment) -> None:
    """Store a new assignment."""
    await session.execute(assignments.insert().values(
        id=assignment.id, tenant=assignment.tenant, incident_id=assignment.incident_id,
        officer_id=assignment.officer_id, category=assignment.category,
        priority=assignment.priority.value, lon=assignment.location.lon, lat=assignment.location.lat,
        status=assignment.status.value, reason=assignment.reason,
        deadlines={stage.value: at.isoformat() for stage, at in assignment.deadlines.items()},
        created_at=assignment.created_at,
    ))


async def add_waiting(session: AsyncSession, incident_id: UUID, tenant: str, category: str,
                      reason: str, since: Any) -> None:
    """Put an incident on the command centre's queue."""
    await session.execute(insert(waiting_incidents).values(
        incident_id=incident_id, tenant=tenant, category=category, reason=reason, since=since,
    ).on_conflict_do_nothing())


async def list_waiting(session: AsyncSession, tenant: str | None) -> list[dict[str, Any]]:
    """The command centre's queue, oldest first."""
    query = select(waiting_incidents).order_by(waiting_incidents.c.since)
    if tenant is not None:
        query = query.where(waiting_incidents.c.tenant == tenant)
    return [dict(row._mapping) for row in (await session.execute(query)).all()]


async def get_assignment(session: AsyncSession, assignment_id: UUID) -> Assignment | None:
    """One assignment, or None."""
    row = (await session.execute(select(assignments).where(assignments.c.id == assignment_id))).first()
    return _assignment(row._mapping) if row else None


async def list_assignments(session: AsyncSession, *, incident_id: UUID | None = None,
                           officer_id: str | None = None, limit: int = 100) -> list[Assignment]:
    """Assignments, newest first, filtered by incident and/or officer."""
    query = select(assignments).order_by(assignments.c.created_at.desc()).limit(limit)
    if incident_id is not None:
        query = query.where(assignments.c.incident_id == incident_id)
    if officer_id is not None:
        query = query.where(assignments.c.officer_id == officer_id)
    return [_assignment(row._mapping) for row in (await session.execute(query)).all()]


def _officer(row: Any) -> Officer:
    position = GeoPoint(lon=row["lon"], lat=row["lat"]) if row["lon"] is not None else None
    return Officer(id=row["id"], tenant=row["tenant"], name=row["name"], team=row["team"],
                   status=OfficerStatus(row["status"]), position=position,
                   last_assigned_at=row["last_assigned_at"])


def _assignment(row: Any) -> Assignment:
    from datetime import datetime

    return Assignment(
        id=row["id"], tenant=row["tenant"], incident_id=row["incident_id"], officer_id=row["officer_id"],
        category=row["category"], priority=Priority(row["priority"]),
        location=GeoPoint(lon=row["lon"], lat=row["lat"]), status=AssignmentStatus(row["status"]),
        reason=row["reason"],
        deadlines={SlaStage(k): datetime.fromisoformat(v) for k, v in row["deadlines"].items()},
        created_at=row["created_at"],
    )
