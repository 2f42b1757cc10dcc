"""Assignment (派单) messages: an order to officers, tracked against the 1-3-5-8 clock.

"1358": acknowledge within 1 min, coordinate within 3, arrive within 5, report within 8.

The assignments topic is public: reasons are codes and notes a flag. The words a commander or
officer typed stay behind dispatch's role-checked API; the retired text fields remain in the
v1 schemas, always empty, so older readers still parse.
"""

from enum import StrEnum
from uuid import UUID

from pydantic import Field

from .values import CategoryCode, ContractModel, GeoPoint, OfficerId, Priority, UtcDatetime


class SlaStage(StrEnum):
    """A step of the 1-3-5-8 response clock, in order."""

    ACKNOWLEDGE = "acknowledge"
    COORDINATE = "coordinate"
    ARRIVE = "arrive"
    REPORT = "report"


class AssignmentOutcome(StrEnum):
    """What the officer found and did on site."""

    RESOLVED_ON_SITE = "resolved_on_site"
    NEEDS_CASE = "needs_case"
    DISPUTE_FOR_MEDIATION = "dispute_for_mediation"
    FALSE_REPORT = "false_report"
    TRANSFERRED = "transferred"


class AssignmentBasis(StrEnum):
    """How the officers of an order were chosen."""

    MATCHED = "matched"  # dispatch's match: free officers of the owning team, nearest first
    COMMAND_CENTRE = "command_centre"  # the command centre named the officers
    FORCED = "forced"  # the command centre sent officers lacking a department or skill the category needs


class ReassignReason(StrEnum):
    """Why an order moved to other officers."""

    NOT_ACKNOWLEDGED = "not_acknowledged"  # the acknowledge deadline passed; dispatch matched again
    REMATCHED = "rematched"  # the command centre asked dispatch to match again
    OVERRIDE = "override"  # the command centre named the officers
    FORCED = "forced"  # named officers lacking a department or skill the category needs


class EscalationReason(StrEnum):
    """Why an order went up to the command centre's supervisors."""

    DEADLINE_MISSED = "deadline_missed"  # a 1-3-5-8 stage passed with nobody to reassign it to
    NOBODY_TO_REASSIGN = "nobody_to_reassign"  # not acknowledged, and no other officer fits


class AssignmentCreated(ContractModel):
    """The command centre ordered one or more officers to handle an incident."""

    assignment_id: UUID
    incident_id: UUID
    officer_ids: list[OfficerId] = Field(min_length=1)
    team: str | None = Field(default=None, description="Team (队伍/中队) code, if one owns it.")
    category: CategoryCode
    priority: Priority
    location: GeoPoint
    deadlines: dict[SlaStage, UtcDatetime] = Field(description="Due time of each SLA stage.")
    # Was dispatch's prose on the choice until the free-text rule; kept (always null) for v1 readers.
    reason: str | None = Field(default=None, max_length=2000, description="Always null: free text is not published.")
    basis: AssignmentBasis | None = Field(default=None, description="How the officers were chosen.")
    created_at: UtcDatetime
    eta_s: float | None = Field(default=None, ge=0, description="Estimated travel seconds of the chosen officer.")
    runner_up_officer_id: OfficerId | None = Field(default=None, description="The next best officer, if any.")
    runner_up_eta_s: float | None = Field(default=None, ge=0, description="The runner-up's estimated seconds.")


class AssignmentAcknowledged(ContractModel):
    """An officer acknowledged the order on their terminal (the "1" of 1-3-5-8)."""

    assignment_id: UUID
    incident_id: UUID
    officer_id: OfficerId
    acknowledged_at: UtcDatetime


class AssignmentArrived(ContractModel):
    """An officer arrived on site (the "5" of 1-3-5-8)."""

    assignment_id: UUID
    incident_id: UUID
    officer_id: OfficerId
    arrived_at: UtcDatetime
    location: GeoPoint | None = Field(default=None, description="Officer's position on arrival.")
    distance_m: float | None = Field(
        default=None, ge=0, description="Metres between the officer and the incident."
    )


class AssignmentReported(ContractModel):
    """An officer reported how the incident was handled (the "8" of 1-3-5-8)."""

    assignment_id: UUID
    incident_id: UUID
    officer_id: OfficerId
    outcome: AssignmentOutcome
    notes: str | None = Field(default=None, max_length=4000, description="Always null: free text is not published.")
    has_notes: bool = Field(default=False, description="Whether the officer wrote notes (read them from dispatch).")
    photo_ids: list[str] = Field(default_factory=list, description="Ids in the evidence store.")
    reported_at: UtcDatetime


class AssignmentReassigned(ContractModel):
    """The order moved to other officers."""

    assignment_id: UUID
    incident_id: UUID
    from_officer_id: OfficerId | None = None
    to_officer_ids: list[OfficerId] = Field(min_length=1)
    reason: str = Field(max_length=2000, description="Always empty: free text is not published.")
    reason_code: ReassignReason | None = Field(default=None, description="Why the order moved.")
    reassigned_at: UtcDatetime


class AssignmentEscalated(ContractModel):
    """The order was escalated to supervisors, for a stage or as a whole."""

    assignment_id: UUID
    incident_id: UUID
    stage: SlaStage | None = None
    reason: str = Field(max_length=2000, description="Always empty: free text is not published.")
    reason_code: EscalationReason | None = Field(default=None, description="Why the order was escalated.")
    escalated_at: UtcDatetime


class AssignmentSlaBreached(ContractModel):
    """A 1-3-5-8 stage passed its deadline without being done."""

    assignment_id: UUID
    incident_id: UUID
    stage: SlaStage
    deadline: UtcDatetime
    breached_at: UtcDatetime


class CancellationReason(StrEnum):
    """Why an open order was withdrawn without an outcome (a code: no free text on the topic)."""

    INCIDENT_CLOSED = "incident_closed"  # closed at intake (the command centre or the source)
    INCIDENT_MERGED = "incident_merged"  # closed as a duplicate of another incident


class QueueReason(StrEnum):
    """Why dispatch could not order anybody and left the incident to the command centre."""

    NO_RESPONSIBILITY_ENTRY = "no_responsibility_entry"  # the list names no owner for the category
    NO_OFFICER_IN_REACH = "no_officer_in_reach"  # nobody fit, free and near enough (neighbours included)
    OFFICERS_TAKEN = "officers_taken"  # those who could go were matched to other incidents
    NOT_ACKNOWLEDGED = "not_acknowledged"  # the order went unacknowledged and nobody was left to take it


class AssignmentCancelled(ContractModel):
    """An open order was withdrawn because its incident ended elsewhere; its officers are free."""

    assignment_id: UUID
    incident_id: UUID
    officer_ids: list[OfficerId] = Field(min_length=1, description="The officers told to stand down.")
    reason: CancellationReason
    cancelled_at: UtcDatetime


class AssignmentQueued(ContractModel):
    """Nobody could be ordered: the incident waits on the command centre's queue."""

    incident_id: UUID
    assignment_id: UUID | None = Field(default=None, description="The order that fell back, if there was one.")
    category: CategoryCode
    priority: Priority
    reason: QueueReason
    queued_at: UtcDatetime
