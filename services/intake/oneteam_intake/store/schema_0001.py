"""Intake's tables and queries."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy import (
    Column,
    DateTime,
    Double,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import UUID as PgUUID
from sqlalchemy.ext.asyncio import AsyncSession

from oneteam_contracts import GeoPoint, Priority
from oneteam_intake.domain.reports import AcceptedReport, Incident, IncidentStatus

metadata = MetaData()

incidents = Table(
    "incidents",
    metadata,
    Column("id", PgUUID(as_uuid=True), primary_key=True),
    Column("tenant", String(12), nullable=False, index=True),
    Column("category", String(64), nullable=False),
    Column("priority", String(16), nullable=False),
    Column("lon", Double, nullable=False),
    Column("lat", Double, nullable=False),
    Column("description", Text, nullable=False),
    Column("status", String(16), nullable=False),
    Column("report_count", Integer, nullable=False),
    Column("opened_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

reports = Table(
    "reports",
    metadata,
    Column("id", PgUUID(as_uuid=True), primary_key=True),
    Column("incident_id", PgUUID(as_uuid=True), ForeignKey("incidents.id"), nullable=False, index=True),
    Column("tenant", String(12), nullable=False),
    Column("source", String(32), nullable=False),
    Column("client_report_id", String(200), nullable=True),
    Column("received_at", DateTime(timezone=True), nullable=False),
)

# Personal data lives apart from incidents and never reaches an event.
reporter_contacts = Table(
    "reporter_contacts",
    metadata,
    Column("report_id", PgUUID(as_uuid=True), ForeignKey("reports.id"), primary_key=True),
    Column("name", String(100), nullable=True),
    Column("phone", String(32), nullable=True),
)


async def add_report(session: AsyncSession, accepted: AcceptedReport,
                     contact: dict[str, str | None] | None) -> None:
    """Store a newly accepted report with the incident it opened."""
    incident = accepted.incident
    await session.execute(incidents.insert().values(
        id=incident.id, tenant=incident.tenant, category=incident.category,
        priority=incident.priority.value, lon=incident.location.lon, lat=incident.location.lat,
        description=incident.description, status=incident.status.value,
        report_count=incident.report_count, opened_at=incident.opened_at,
        updated_at=incident.opened_at,
    ))
    await session.execute(reports.insert().values(
        id=accepted.id, incident_id=incident.id, tenant=incident.tenant,
        source=accepted.report.source.value, client_report_id=accepted.report.client_report_id,
        received_at=accepted.received_at,
    ))
    if contact and any(contact.values()):
        await session.execute(reporter_contacts.insert().values(report_id=accepted.id, **contact))


async def get_incident(session: AsyncSession, incident_id: UUID, *, for_update: bool = False) -> Incident | None:
    """The incident, or None."""
    query = select(incidents).where(incidents.c.id == incident_id)
    if for_update:
        query = query.with_for_update()
    row = (await session.execute(query)).first()
    return _incident(row._mapping) if row else None


async def get_report(session: AsyncSession, report_id: UUID) -> tuple[dict[str, Any], Incident] | None:
    """A report row and its incident, or None."""
    row = (await session.execute(select(reports).where(reports.c.id == report_id))).first()
    if row is None:
        return None
    incident = await get_incident(session, row.incident_id)
    assert incident is not None, "reports reference incidents by foreign key"
    return dict(row._mapping), incident


async def set_status(session: AsyncSession, incident_id: UUID, status: IncidentStatus,
                     at: Any) -> None:
    """Move an incident to `status`."""
    await session.execute(
        update(incidents).where(incidents.c.id == incident_id).values(status=status.value, updated_at=at)
    )


def _incident(row: Any) -> Incident:
    return Incident(
        id=row["id"], tenant=row["tenant"], category=row["category"], priority=Priority(row["priority"]),
        location=GeoPoint(lon=row["lon"], lat=row["lat"]), description=row["description"],
        status=IncidentStatus(row["status"]), report_count=row["report_count"], opened_at=row["opened_at"],
    )
