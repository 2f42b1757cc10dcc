"""A stand-in for a service's state in fault tests: handlers count their effects per subject."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Column, Integer, MetaData, String, Table
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from oneteam_contracts import GeoPoint, IncidentMerged, IncidentReported, Priority, ReportSource, new_event

TENANT = "330106004"

# The free-text description may leave the public event; give it only while the field exists.
_TEXT: dict[str, Any] = {"description": "vendor"} if "description" in IncidentReported.model_fields else {}

effects_metadata = MetaData()
effects = Table(
    "effects", effects_metadata,
    Column("subject", String(100), primary_key=True),
    Column("count", Integer, nullable=False),
)


async def count_effect(session: AsyncSession, event: Any) -> None:
    """+1 on the event's subject, in the handler's transaction."""
    statement = insert(effects).values(subject=event.subject, count=1)
    await session.execute(statement.on_conflict_do_update(
        index_elements=[effects.c.subject], set_={"count": effects.c.count + 1}))


def reported(incident_id: uuid.UUID) -> Any:
    """An incident.reported event for `incident_id`."""
    return new_event(IncidentReported(
        incident_id=incident_id, report_id=uuid.uuid4(), category="street_vending",
        source=ReportSource.CITIZEN_APP, priority=Priority.NORMAL,
        location=GeoPoint(lon=120.125, lat=30.29), reported_at=datetime.now(UTC), **_TEXT,
    ), source="test", tenant=TENANT, subject=str(incident_id))


def merged(incident_id: uuid.UUID, count: int) -> Any:
    """An incident.merged event: the `count`-th report joined `incident_id`."""
    return new_event(IncidentMerged(
        incident_id=incident_id, report_id=uuid.uuid4(), source=ReportSource.GRID_WORKER,
        report_count=count, priority=Priority.NORMAL, merged_at=datetime.now(UTC),
    ), source="test", tenant=TENANT, subject=str(incident_id))
