"""An assignment (派单): the order for officers to handle an incident, and its life.

One assignment per incident at a time; joint work has one member per department. The
clock ("1358") runs from the order: every member acknowledges, the departments have
joined by "coordinate", every member arrives, and one member reports the outcome.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from uuid import UUID, uuid4

from oneteam_contracts import (
    AssignmentAcknowledged,
    AssignmentArrived,
    AssignmentBasis,
    AssignmentCancelled,
    AssignmentCreated,
    AssignmentOutcome,
    AssignmentReported,
    CancellationReason,
    GeoPoint,
    Priority,
    SlaStage,
    haversine_m,
)
from oneteam_dispatch.domain.matching import Decision
from oneteam_dispatch.domain.sla import SlaProfile
from oneteam_servicekit.errors import Conflict, Forbidden, InvalidRequest


class AssignmentStatus(StrEnum):
    """Stage of an assignment's life."""

    CREATED = "created"
    ACKNOWLEDGED = "acknowledged"
    ARRIVED = "arrived"
    REPORTED = "reported"
    REASSIGNED = "reassigned"  # kept for rows written by the walking skeleton
    ESCALATED = "escalated"
    CANCELLED = "cancelled"  # withdrawn: its incident was closed or merged at intake


OPEN_STATUSES = frozenset({AssignmentStatus.CREATED, AssignmentStatus.ACKNOWLEDGED, AssignmentStatus.ARRIVED})


@dataclass(frozen=True)
class Member:
    """One officer of an assignment and how far they have got."""

    officer_id: str
    department: str
    acknowledged_at: datetime | None = None
    arrived_at: datetime | None = None
    arrival_distance_m: float | None = None
    arrival_note: str | None = None


@dataclass(frozen=True)
class Report:
    """What the officer found and did."""

    outcome: AssignmentOutcome
    officer_id: str
    notes: str | None
    photo_ids: tuple[str, ...]
    reported_at: datetime


@dataclass(frozen=True)
class Assignment:
    """An order for one officer, or one per department for joint work."""

    id: UUID
    tenant: str
    incident_id: UUID
    category: str
    priority: Priority
    location: GeoPoint
    status: AssignmentStatus
    reason: str
    deadlines: dict[SlaStage, datetime]
    created_at: datetime
    members: tuple[Member, ...]
    sla_profile: str = "1358"
    eta_s: float | None = None
    runner_up_officer_id: str | None = None
    runner_up_eta_s: float | None = None
    escalated: frozenset[SlaStage] = frozenset()
    report: Report | None = None

    @property
    def officer_id(self) -> str:
        """The lead officer (the owning department's)."""
        return self.members[0].officer_id

    @property
    def officer_ids(self) -> list[str]:
        """Every officer on the order, lead first."""
        return [m.officer_id for m in self.members]

    @property
    def is_open(self) -> bool:
        """Still waiting for someone to act."""
        return self.status in OPEN_STATUSES

    def member(self, officer_id: str) -> Member:
        """The caller's membership; refuses anyone not on the order."""
        for m in self.members:
            if m.officer_id == officer_id:
                return m
        raise Forbidden(f"assignment {self.id} is not yours")

    def stage_done(self, stage: SlaStage) -> bool:
        """Whether `stage` of the clock has been met (or no longer matters)."""
        if not self.is_open:
            return True
        if stage is SlaStage.ACKNOWLEDGE:
            return all(m.acknowledged_at for m in self.members)
        if stage is SlaStage.COORDINATE:
            # Coordinating other departments only exists for joint work.
            return len(self.members) == 1 or all(m.acknowledged_at for m in self.members)
        if stage is SlaStage.ARRIVE:
            return all(m.arrived_at for m in self.members)
        return self.report is not None

    def created_event(self, team: str | None, basis: AssignmentBasis = AssignmentBasis.MATCHED) -> AssignmentCreated:
        """The `assignment.created` message: the basis as a code, the reason's words stay in dispatch."""
        return AssignmentCreated(
            assignment_id=self.id, incident_id=self.incident_id, officer_ids=self.officer_ids, team=team,
            category=self.category, priority=self.priority, location=self.location,
            deadlines=self.deadlines, basis=basis, created_at=self.created_at,
            eta_s=self.eta_s, runner_up_officer_id=self.runner_up_officer_id,
            runner_up_eta_s=self.runner_up_eta_s,
        )


def assign(tenant: str, incident_id: UUID, category: str, priority: Priority, location: GeoPoint,
           decision: Decision, profile: SlaProfile, now: datetime) -> Assignment:
    """Order the decision's officers to the incident, starting the clock at `now`."""
    if not decision.assigned:
        raise ValueError("a queued decision has no officers to order")
    lead = decision.picks[0]
    return Assignment(
        id=uuid4(), tenant=tenant, incident_id=incident_id, category=category, priority=priority,
        location=location, status=AssignmentStatus.CREATED, reason=decision.reason(),
        deadlines=profile.deadlines(now), created_at=now,
        members=tuple(Member(p.officer_id, p.need.department) for p in decision.picks),
        sla_profile=profile.name, eta_s=lead.eta_s, runner_up_officer_id=lead.runner_up_officer_id,
        runner_up_eta_s=lead.runner_up_eta_s,
    )


def _require_open(a: Assignment) -> None:
    if not a.is_open:
        raise Conflict(f"assignment {a.id} is {a.status.value}", state=a.status.value)


def _with_member(a: Assignment, member: Member) -> tuple[Member, ...]:
    return tuple(member if m.officer_id == member.officer_id else m for m in a.members)


def acknowledge(a: Assignment, officer_id: str, now: datetime) -> tuple[Assignment, AssignmentAcknowledged | None]:
    """The officer saw the order; a repeat is accepted and changes nothing."""
    member = a.member(officer_id)
    if member.acknowledged_at is not None:
        return a, None
    _require_open(a)
    members = _with_member(a, replace(member, acknowledged_at=now))
    status = AssignmentStatus.ACKNOWLEDGED if all(m.acknowledged_at for m in members) else a.status
    event = AssignmentAcknowledged(assignment_id=a.id, incident_id=a.incident_id, officer_id=officer_id,
                                   acknowledged_at=now)
    return replace(a, members=members, status=status), event


def arrive(a: Assignment, officer_id: str, position: GeoPoint | None, note: str | None, radius_m: float,
           now: datetime) -> tuple[Assignment, AssignmentArrived | None]:
    """The officer is on site: within `radius_m` of the incident, or with a stated reason."""
    member = a.member(officer_id)
    if member.arrived_at is not None:
        return a, None
    _require_open(a)
    if member.acknowledged_at is None:
        raise Conflict("acknowledge the order before arriving")
    distance = None if position is None else haversine_m(position.lon, position.lat, a.location.lon,
                                                         a.location.lat)
    if not note:
        if distance is None:
            raise InvalidRequest("no recent position is known for you; send one or give a reason",
                                 field="reason")
        if distance > radius_m:
            raise InvalidRequest(f"you are {distance:.0f} m from the incident (limit {radius_m:.0f} m); "
                                 "move closer or give a reason", field="reason", distance_m=round(distance))
    arrived = replace(member, arrived_at=now, arrival_distance_m=distance, arrival_note=note)
    members = _with_member(a, arrived)
    status = AssignmentStatus.ARRIVED if all(m.arrived_at for m in members) else a.status
    event = AssignmentArrived(assignment_id=a.id, incident_id=a.incident_id, officer_id=officer_id,
                              arrived_at=now, location=position,
                              distance_m=None if distance is None else round(distance, 1))
    return replace(a, members=members, status=status), event


def report(a: Assignment, officer_id: str, outcome: AssignmentOutcome, notes: str | None,
           photo_ids: tuple[str, ...], now: datetime) -> tuple[Assignment, AssignmentReported | None]:
    """One member reports how the incident was handled; the same report again changes nothing."""
    member = a.member(officer_id)
    if a.report is not None:
        if a.report.outcome is outcome and a.report.officer_id == officer_id:
            return a, None
        raise Conflict(f"assignment {a.id} was already reported as {a.report.outcome.value}")
    _require_open(a)
    if member.arrived_at is None and outcome is not AssignmentOutcome.TRANSFERRED:
        raise Conflict("arrive on site before reporting the outcome")
    done = Report(outcome, officer_id, notes, photo_ids, now)
    event = AssignmentReported(assignment_id=a.id, incident_id=a.incident_id, officer_id=officer_id,
                               outcome=outcome, has_notes=bool(notes), photo_ids=list(photo_ids), reported_at=now)
    return replace(a, report=done, status=AssignmentStatus.REPORTED), event


def replace_officers(a: Assignment, leaving: set[str], decision: Decision, profile: SlaProfile,
                     now: datetime) -> Assignment:
    """Give the departments of `leaving` members to the decision's officers, restarting the clock."""
    by_department = {p.need.department: p for p in decision.picks}
    members = []
    for m in a.members:
        if m.officer_id in leaving:
            pick = by_department[m.department]
            members.append(Member(pick.officer_id, m.department))
        else:
            members.append(m)
    lead = decision.picks[0]
    return replace(a, members=tuple(members), deadlines=profile.deadlines(now), status=AssignmentStatus.CREATED
                   if not all(m.acknowledged_at for m in members) else a.status,
                   reason=decision.reason(), eta_s=lead.eta_s, runner_up_officer_id=lead.runner_up_officer_id,
                   runner_up_eta_s=lead.runner_up_eta_s, escalated=frozenset())


def cancel(a: Assignment, reason: CancellationReason,
           now: datetime) -> tuple[Assignment, AssignmentCancelled | None]:
    """Withdraw an open order whose incident ended elsewhere; a finished order stays as it was."""
    if not a.is_open:
        return a, None
    event = AssignmentCancelled(assignment_id=a.id, incident_id=a.incident_id, officer_ids=a.officer_ids,
                                reason=reason, cancelled_at=now)
    return replace(a, status=AssignmentStatus.CANCELLED), event
