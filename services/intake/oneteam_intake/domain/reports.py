"""Reports (上报) and incidents (事件): opening an incident, or joining an open one.

A report with a known category either opens a new incident or, when an open incident of the
same category is near enough and recent enough, joins it (see `merging`). A report without a
category waits in the triage queue; a doubtful camera detection waits in the review queue.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from uuid import UUID, uuid4

from oneteam_contracts import GeoPoint, IncidentMerged, IncidentReported, Priority, ReportSource
from oneteam_intake.domain.catalog import Catalog, Category
from oneteam_intake.domain.geography import Placement
from oneteam_intake.domain.privacy import has_text


class IncidentStatus(StrEnum):
    """Where an incident stands, as the reporter sees it."""

    REPORTED = "reported"
    ASSIGNED = "assigned"
    IN_PROGRESS = "in_progress"
    CLOSED = "closed"


class ReportState(StrEnum):
    """What became of a report."""

    ACCEPTED = "accepted"  # attached to an incident
    TRIAGE = "triage"  # no category yet: the command centre picks one
    REVIEW = "review"  # a camera detection a person must confirm
    DISMISSED = "dismissed"  # triage or review decided it is nothing to act on


@dataclass(frozen=True)
class NewReport:
    """A report as a source submitted it (already validated at the edge)."""

    tenant: str
    category: str | None
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
    last_report_at: datetime
    source: ReportSource = ReportSource.CITIZEN_APP
    district: str | None = None
    grid: str | None = None
    closed_at: datetime | None = None
    reopen_count: int = 0
    close_note: str | None = None  # the command centre's, shown to staff only

    @property
    def is_open(self) -> bool:
        """Whether more reports may still join it."""
        return self.status is not IncidentStatus.CLOSED


@dataclass(frozen=True)
class Opened:
    """The report opened a new incident."""

    report_id: UUID
    incident: Incident
    received_at: datetime

    def event(self) -> IncidentReported:
        """`incident.reported`: no reporter and no free text (see `privacy.PUBLIC_TEXT_RULE`)."""
        incident = self.incident
        return IncidentReported(
            incident_id=incident.id, report_id=self.report_id, category=incident.category,
            source=incident.source, priority=incident.priority, location=incident.location,
            has_description=has_text(incident.description), district=incident.district, grid=incident.grid,
            reported_at=self.received_at,
        )


@dataclass(frozen=True)
class Merged:
    """The report joined an open incident."""

    report_id: UUID
    incident: Incident  # after the merge
    source: ReportSource
    received_at: datetime
    priority_raised: bool

    def event(self) -> IncidentMerged:
        """`incident.merged`, with the incident's report count and priority after the merge."""
        return IncidentMerged(
            incident_id=self.incident.id, report_id=self.report_id, source=self.source,
            report_count=self.incident.report_count, priority=self.incident.priority,
            merged_at=self.received_at,
        )


def open_incident(report: NewReport, category: Category, placement: Placement, now: datetime,
                  report_id: UUID | None = None) -> Opened:
    """A new incident for `report` at `now`, with the category's default priority."""
    incident = Incident(
        id=uuid4(), tenant=report.tenant, category=category.code, priority=category.priority,
        location=report.location, description=report.description, status=IncidentStatus.REPORTED,
        report_count=1, opened_at=now, last_report_at=now, source=report.source,
        district=placement.district, grid=placement.grid,
    )
    return Opened(report_id or uuid4(), incident, now)


def join_incident(incident: Incident, report: NewReport, catalog: Catalog, category: Category,
                  now: datetime, report_id: UUID | None = None) -> Merged:
    """`report` joins `incident`: one more report, and priority raised by repetition."""
    count = incident.report_count + 1
    escalated = catalog.escalated(category.priority, count)
    order = list(Priority)
    # Never lower: staff may have raised the priority by hand, or the default may have changed.
    priority = max(escalated, incident.priority, key=order.index)
    after = replace(incident, report_count=count, priority=priority, last_report_at=now)
    return Merged(report_id or uuid4(), after, report.source, now, priority != incident.priority)


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
