"""The mediation (调解) of one dispute, each step a checked transition.

open (accepted; consent asked) → agreed (agreement signed) → concluded, with a referral or a
withdrawal ending it from any open step. A refusal of consent ends it with a referral to a
penalty case; a broken agreement too, unless the mediator refers it elsewhere.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from enum import StrEnum
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from oneteam_contracts import (
    MediationDeadlineKind,
    MediationFailure,
    MediationOrigin,
    MediationOutcome,
    ReferralTarget,
    SessionOutcome,
)
from oneteam_deadlines.calendar import WorkingCalendar
from oneteam_mediation.domain import agreements as A
from oneteam_mediation.domain.parties import Consent, Party
from oneteam_mediation.domain.proposal import conflicts
from oneteam_mediation.domain.registry import Mediator, Registry, Skill
from oneteam_servicekit.errors import Conflict, InvalidRequest

# How long before a time limit the command centre is warned: a day for the first session,
# three for conclusion (enough to hold one more session).
WARN_BEFORE = {MediationDeadlineKind.FIRST_SESSION: timedelta(days=1),
               MediationDeadlineKind.CONCLUSION: timedelta(days=3)}


class State(StrEnum):
    """Where a mediation stands."""

    OPEN = "open"
    AGREED = "agreed"
    CONCLUDED = "concluded"


class Session(BaseModel):
    """One session: when, who, where, and what it came to; notes and statements stay internal."""

    model_config = ConfigDict(frozen=True)
    id: UUID
    mediator_id: str
    room_id: str | None
    starts_at: datetime
    ends_at: datetime
    held: bool = False
    cancelled: bool = False
    attended: list[str] = Field(default_factory=list)
    outcome: SessionOutcome | None = None
    statements: dict[str, str] = Field(default_factory=dict)  # party id → statement
    notes: str | None = None  # the mediator's, never shown beyond mediators and commanders


class Mediation(BaseModel):
    """One dispute in mediation."""

    model_config = ConfigDict(frozen=True)
    id: UUID
    tenant: str
    origin: MediationOrigin
    state: State = State.OPEN
    category: str
    skill: Skill
    parties: list[Party] = Field(default_factory=list)
    mediator_id: str | None = None
    created_by: str
    request_id: UUID | None = None
    incident_id: UUID | None = None
    case_id: UUID | None = None
    handoff_notes: str | None = None  # the officer's words from the hand-off; internal, like session notes
    opened_at: datetime
    deadlines: dict[MediationDeadlineKind, datetime] = Field(default_factory=dict)  # open time limits
    conclusion_due: datetime
    missed: list[MediationDeadlineKind] = Field(default_factory=list)
    sessions: list[Session] = Field(default_factory=list)
    agreement: A.Agreement | None = None
    follow_ups: list[A.FollowUp] = Field(default_factory=list)
    outcome: MediationOutcome | None = None
    referral: ReferralTarget | None = None
    failure: MediationFailure | None = None
    referral_reason: str | None = None
    no_penalty_grounds: bool = False
    concluded_at: datetime | None = None

    def party(self, party_id: str) -> Party:
        """A party by id, or 422."""
        found = next((p for p in self.parties if p.id == party_id), None)
        if found is None:
            raise InvalidRequest(f"no party {party_id} in this dispute", field="party_id")
        return found

    def session(self, session_id: UUID) -> Session:
        """A session by id, or 422."""
        found = next((s for s in self.sessions if s.id == session_id), None)
        if found is None:
            raise InvalidRequest(f"no session {session_id} in this mediation", field="session_id")
        return found

    def party_keys(self) -> tuple[str, ...]:
        """Who the parties are across disputes: the hash when known, else only within this mediation."""
        return tuple(p.ref or f"{self.id}:{p.id}" for p in self.parties)

    @property
    def on_time(self) -> bool:
        """Agreed or concluded (or still open) within the conclusion deadline."""
        ended = self.agreement.signed_at if self.agreement else self.concluded_at
        return (ended or self.conclusion_due) <= self.conclusion_due


def _require(m: Mediation, *states: State) -> None:
    if m.state not in states:
        raise Conflict(f"mediation is {m.state.value}; this step needs {' or '.join(s.value for s in states)}",
                       state=m.state.value)


def open_mediation(*, id: UUID, tenant: str, origin: MediationOrigin, category: str, registry: Registry,
                   created_by: str, now: datetime, calendar: WorkingCalendar, parties: Sequence[Party] = (),
                   skill: Skill | None = None, request_id: UUID | None = None, incident_id: UUID | None = None,
                   case_id: UUID | None = None, handoff_notes: str | None = None) -> Mediation:
    """A dispute accepted for mediation, its time limits set from the registry."""
    chosen = skill or registry.skill_for(category)
    conclusion = calendar.calendar_days_after(now, registry.conclusion_days_for(chosen))
    first = calendar.working_days_after(now, registry.first_session_working_days)
    deadlines = {MediationDeadlineKind.FIRST_SESSION: first, MediationDeadlineKind.CONCLUSION: conclusion}
    return Mediation(id=id, tenant=tenant, origin=origin, category=category, skill=chosen, parties=list(parties),
                     created_by=created_by, request_id=request_id, incident_id=incident_id, case_id=case_id,
                     handoff_notes=handoff_notes, opened_at=now, conclusion_due=conclusion, deadlines=deadlines)


def add_parties(m: Mediation, parties: Sequence[Party]) -> Mediation:
    """More parties (a request from dispatch arrives with none: the mediator adds them)."""
    _require(m, State.OPEN)
    if {p.id for p in parties} & {p.id for p in m.parties}:
        raise Conflict("party ids are taken; parties are numbered p1, p2, ... in order")
    return m.model_copy(update={"parties": [*m.parties, *parties]})


def record_consent(m: Mediation, party_id: str, consent: Consent, now: datetime) -> Mediation:
    """A party consents or refuses; a refusal ends the mediation with a referral to a penalty case."""
    _require(m, State.OPEN)
    party = m.party(party_id)
    parties = [p.model_copy(update={"consent": consent}) if p.id == party.id else p for p in m.parties]
    after = m.model_copy(update={"parties": parties})
    if consent is Consent.REFUSED:
        return refer(after, ReferralTarget.CASE, MediationFailure.PARTY_REFUSED, None, now)
    return after


def assign(m: Mediation, mediator: Mediator) -> Mediation:
    """Give the dispute a mediator: one with its skill and no tie to a party (回避)."""
    _require(m, State.OPEN, State.AGREED)
    tied = conflicts(mediator, m.parties)
    if tied:
        raise Conflict("conflict of interest: " + "; ".join(tied), clash="conflict_of_interest")
    if m.skill not in mediator.skills:
        raise InvalidRequest(f"{mediator.id} does not mediate {m.skill.value} disputes", field="mediator_id")
    return m.model_copy(update={"mediator_id": mediator.id})


def ready_for_session(m: Mediation) -> None:
    """Sessions need a mediator, two parties and every party's consent."""
    _require(m, State.OPEN)
    if m.mediator_id is None:
        raise Conflict("assign a mediator first")
    if len(m.parties) < 2:
        raise Conflict("a dispute has at least two parties")
    pending = [p.id for p in m.parties if p.consent is not Consent.GIVEN]
    if pending:
        raise Conflict(f"mediation is voluntary: consent of {', '.join(pending)} is not recorded")


def add_session(m: Mediation, session: Session) -> Mediation:
    """A scheduled session; the first one meets the first-session limit."""
    ready_for_session(m)
    deadlines = {k: v for k, v in m.deadlines.items() if k is not MediationDeadlineKind.FIRST_SESSION}
    return m.model_copy(update={"sessions": [*m.sessions, session], "deadlines": deadlines})


def hold_session(m: Mediation, session_id: UUID, attended: Sequence[str], outcome: SessionOutcome,
                 statements: Mapping[str, str], notes: str | None) -> Mediation:
    """What a session came to."""
    _require(m, State.OPEN)
    session = m.session(session_id)
    if session.held or session.cancelled:
        raise Conflict(f"this session is {'held' if session.held else 'cancelled'} already")
    for party_id in [*attended, *statements]:
        m.party(party_id)
    held = session.model_copy(update={"held": True, "attended": list(attended), "outcome": outcome,
                                      "statements": dict(statements), "notes": notes})
    return m.model_copy(update={"sessions": [held if s.id == session_id else s for s in m.sessions]})


def cancel_session(m: Mediation, session_id: UUID) -> Mediation:
    """Call off a session that has not taken place (to move it, cancel and book anew)."""
    _require(m, State.OPEN)
    session = m.session(session_id)
    if session.held or session.cancelled:
        raise Conflict(f"this session is {'held' if session.held else 'cancelled'} already")
    called_off = session.model_copy(update={"cancelled": True})
    return m.model_copy(update={"sessions": [called_off if s.id == session_id else s for s in m.sessions]})


def sign_agreement(m: Mediation, obligations: Sequence[A.Obligation], signatures: Sequence[A.Signature],
                   now: datetime, calendar: WorkingCalendar, registry: Registry) -> Mediation:
    """The agreement signed by every party; one with nothing left to do concludes at once."""
    _require(m, State.OPEN)
    if len(m.parties) < 2:
        raise Conflict("a dispute has at least two parties")
    agreement = A.sign(obligations, signatures, [p.id for p in m.parties], now, calendar)
    # An agreement ends the mediation proper: following up its obligations is not late mediation.
    after = m.model_copy(update={"state": State.AGREED, "agreement": agreement, "deadlines": {}})
    return _resolved(after, now, registry) if agreement.all_kept else after


def follow_up(m: Mediation, visit: A.FollowUp, registry: Registry, now: datetime,
              target: ReferralTarget = ReferralTarget.CASE) -> Mediation:
    """A follow-up visit (回访): all kept resolves the dispute; one broken refers it on."""
    _require(m, State.AGREED)
    assert m.agreement is not None
    agreement = A.follow_up(m.agreement, visit.results)
    after = m.model_copy(update={"agreement": agreement, "follow_ups": [*m.follow_ups, visit]})
    if agreement.broken:
        return refer(after, target, MediationFailure.AGREEMENT_NOT_KEPT, None, now)
    return _resolved(after, now, registry) if agreement.all_kept else after


def refer(m: Mediation, target: ReferralTarget | None, failure: MediationFailure, reason: str | None,
          now: datetime) -> Mediation:
    """End with a referral: to a penalty case, the court or another body; with none, the mediation failed."""
    _require(m, State.OPEN, State.AGREED)
    outcome = MediationOutcome.FAILED if target is None else MediationOutcome.REFERRED
    return _concluded(m, outcome, now, referral=target, failure=failure, referral_reason=reason)


def withdraw(m: Mediation, now: datetime) -> Mediation:
    """The parties withdrew or the matter went away."""
    _require(m, State.OPEN, State.AGREED)
    return _concluded(m, MediationOutcome.WITHDRAWN, now)


def missed(m: Mediation, kind: MediationDeadlineKind, due_at: datetime) -> Mediation | None:
    """Mark a time limit missed, if it is still open with that due time; None when nothing is late."""
    if m.deadlines.get(kind) != due_at or m.state is State.CONCLUDED:
        return None
    deadlines = {k: v for k, v in m.deadlines.items() if k is not kind}
    return m.model_copy(update={"deadlines": deadlines, "missed": [*m.missed, kind]})


def _resolved(m: Mediation, now: datetime, registry: Registry) -> Mediation:
    outcome = MediationOutcome.RESOLVED_ON_SITE if m.origin is MediationOrigin.ON_SITE else MediationOutcome.RESOLVED
    # 调解不罚 applies only to the tenant's listed minor public-order matters, and only once kept.
    grounds = m.category in registry.no_penalty_categories
    return _concluded(m, outcome, now, no_penalty_grounds=grounds)


def _concluded(m: Mediation, outcome: MediationOutcome, now: datetime, **changes: object) -> Mediation:
    return m.model_copy(update={"state": State.CONCLUDED, "outcome": outcome, "concluded_at": now,
                                "deadlines": {}, **changes})
