"""Accepting a report: what an accepted report and its incident look like.

The walking skeleton opens one incident per report; merging nearby duplicates into one
incident is the intake issue's work and will live beside this function.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from uuid import UUID, uuid4

from oneteam_contracts import GeoPoint, IncidentReported, Priority, ReportSource


class IncidentStatus(StrEnum):
    """Where an incident stands, as the reporter sees it."""

    REPORTED = "reported"
    ASSIGNED = "assigned"
    IN_PROGRESS = "in_progress"
    CLOSED = "closed"


@dataclass(frozen=True)
class NewReport:
    """A report as a source submitted it (already validated at the edge)."""

    tenant: str
    category: str
    description: str
    location: GeoPoint
    source: ReportSource
    client_report_id: str | None = None


@dataclass(frozen=True)
class Incident:
    """The problem itself; one or more reports point at it."""

    id: UUID
    tenant: str
    category: str
    priority: Priority
    location: GeoPoint
    description: str
    status: IncidentStatus
    report_count: int
    opened_at: datetime


@dataclass(frozen=True)
class AcceptedReport:
    """A stored report and the incident it opened."""

    id: UUID
    report: NewReport
    incident: Incident
    received_at: datetime

    def reported_event(self) -> IncidentReported:
        """The `incident.reported` message for this report; it carries no personal data."""
        return IncidentReported(
            incident_id=self.incident.id,
            report_id=self.id,
            category=self.incident.category,
            source=self.report.source,
            priority=self.incident.priority,
            location=self.incident.location,
            description=self.incident.description,
            reported_at=self.received_at,
        )


def accept(report: NewReport, now: datetime) -> AcceptedReport:
    """Accept `report` at `now`, opening a new incident for it."""
    incident = Incident(
        id=uuid4(),
        tenant=report.tenant,
        category=report.category,
        priority=Priority.NORMAL,
        location=report.location,
        description=report.description,
        status=IncidentStatus.REPORTED,
        report_count=1,
        opened_at=now,
    )
    return AcceptedReport(id=uuid4(), report=report, incident=incident, received_at=now)


def status_after(event_type: str, current: IncidentStatus) -> IncidentStatus:
    """The incident status a dispatch event moves the incident to (never backwards)."""
    order = list(IncidentStatus)
    target = {
        "assignment.created": IncidentStatus.ASSIGNED,
        "assignment.reassigned": IncidentStatus.ASSIGNED,
        "assignment.acknowledged": IncidentStatus.IN_PROGRESS,
        "assignment.arrived": IncidentStatus.IN_PROGRESS,
        "assignment.reported": IncidentStatus.IN_PROGRESS,
        "incident.closed": IncidentStatus.CLOSED,
    }.get(event_type, current)
    return target if order.index(target) > order.index(current) else current
