"""An assignment: the order for an officer to handle an incident, with its deadlines."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from uuid import UUID, uuid4

from oneteam_contracts import AssignmentCreated, GeoPoint, IncidentReported, Priority, SlaStage
from oneteam_dispatch.domain.officers import Choice
from oneteam_dispatch.domain.sla import SlaProfile


class AssignmentStatus(StrEnum):
    """Stage of an assignment's life."""

    CREATED = "created"
    ACKNOWLEDGED = "acknowledged"
    ARRIVED = "arrived"
    REPORTED = "reported"
    REASSIGNED = "reassigned"
    ESCALATED = "escalated"


@dataclass(frozen=True)
class Assignment:
    """An order for one officer (joint work comes with the dispatch issue)."""

    id: UUID
    tenant: str
    incident_id: UUID
    officer_id: str
    category: str
    priority: Priority
    location: GeoPoint
    status: AssignmentStatus
    reason: str
    deadlines: dict[SlaStage, datetime]
    created_at: datetime

    def created_event(self, team: str | None) -> AssignmentCreated:
        """The `assignment.created` message."""
        return AssignmentCreated(
            assignment_id=self.id, incident_id=self.incident_id, officer_ids=[self.officer_id], team=team,
            category=self.category, priority=self.priority, location=self.location,
            deadlines=self.deadlines, reason=self.reason, created_at=self.created_at,
        )


def assign(tenant: str, incident: IncidentReported, choice: Choice, profile: SlaProfile,
           now: datetime) -> Assignment:
    """Order `choice.officer` to handle `incident`, starting the clock at `now`."""
    return Assignment(
        id=uuid4(), tenant=tenant, incident_id=incident.incident_id, officer_id=choice.officer.id,
        category=incident.category, priority=incident.priority, location=incident.location,
        status=AssignmentStatus.CREATED, reason=choice.reason, deadlines=profile.deadlines(now),
        created_at=now,
    )
