"""What a missed 1-3-5-8 deadline does: reassign on a missed acknowledge, escalate otherwise."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from oneteam_contracts import AssignmentEscalated, AssignmentSlaBreached, EscalationReason, SlaStage
from oneteam_dispatch.domain.assignments import Assignment


@dataclass(frozen=True)
class Missed:
    """A deadline that passed with its stage undone."""

    breach: AssignmentSlaBreached
    reassign: frozenset[str]  # officers who never acknowledged: the order moves on without them
    escalate: bool


def on_deadline(a: Assignment, stage: SlaStage, due: datetime, now: datetime) -> Missed | None:
    """The effect of `stage`'s deadline `due` firing at `now`; None when it no longer applies.

    A deadline is stale when the clock restarted since it was set (a reassignment), so the
    scheduler may fire old rows without harm.
    """
    if now < due or a.deadlines.get(stage) != due or a.stage_done(stage):
        return None
    breach = AssignmentSlaBreached(assignment_id=a.id, incident_id=a.incident_id, stage=stage, deadline=due,
                                   breached_at=now)
    if stage is SlaStage.ACKNOWLEDGE:
        laggards = frozenset(m.officer_id for m in a.members if m.acknowledged_at is None)
        return Missed(breach, laggards, escalate=False)
    return Missed(breach, frozenset(), escalate=True)


def escalate(a: Assignment, stage: SlaStage | None, reason: EscalationReason,
             now: datetime) -> tuple[Assignment, AssignmentEscalated]:
    """Hand the order to the command centre's supervisors, noting the stage and why (a code)."""
    stages = a.escalated | ({stage} if stage is not None else set())
    event = AssignmentEscalated(assignment_id=a.id, incident_id=a.incident_id, stage=stage, reason="",
                                reason_code=reason, escalated_at=now)
    return replace(a, escalated=frozenset(stages)), event
