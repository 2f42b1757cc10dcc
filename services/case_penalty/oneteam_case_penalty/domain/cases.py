"""The case (案件) and its general-procedure lifecycle, each step a checked transition.

discovered → filed (立案) or not filed → prior notice (告知) → decided → served → paid → closed,
with transfer (移送) from any open step. Legal deadlines are set as the steps begin.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from oneteam_case_penalty.domain.decisions import NO_PENALTY, Decision, PartyKind
from oneteam_contracts import CaseOrigin, DeadlineKind, DiscretionDecision, Procedure, TransferTarget
from oneteam_deadlines.calendar import WorkingCalendar
from oneteam_servicekit.errors import Conflict, InvalidRequest

DECIDE_DAYS = 90  # Art. 60: decide within 90 days of filing
HEARING_WORKING_DAYS = 5  # Art. 64 (一): ask within 5 days; Art. 85: "5 days" are working days
SERVICE_WORKING_DAYS = 7  # Art. 61: serve within 7 days; Art. 85: working days
PAYMENT_DAYS = 15  # Art. 67: pay within 15 days of service
RECONSIDERATION_DAYS = 60  # Administrative Reconsideration Law: apply within 60 days
LITIGATION_DAYS = 183  # Administrative Litigation Law Art. 46: sue within 6 months
LIMITATION_DAYS = 2 * 365  # Art. 36: not discovered within 2 years, no longer penalised
WARN_BEFORE = {DeadlineKind.FILING: timedelta(days=2), DeadlineKind.DECISION: timedelta(days=10),
               DeadlineKind.SERVICE: timedelta(days=2), DeadlineKind.PAYMENT: timedelta(days=3)}


class CaseState(StrEnum):
    """Where a case stands."""

    DISCOVERED = "discovered"
    FILED = "filed"
    NOTIFIED = "notified"
    DECIDED = "decided"
    SERVED = "served"
    PAID = "paid"
    NOT_FILED = "not_filed"
    TRANSFERRED = "transferred"
    CLOSED = "closed"


OPEN = frozenset({CaseState.DISCOVERED, CaseState.FILED, CaseState.NOTIFIED})


class Evidence(BaseModel):
    """A photo id from intake or dispatch, an inspection record or a statement."""

    model_config = ConfigDict(frozen=True)
    kind: str
    ref: str
    added_by: str
    added_at: datetime


class Decided(BaseModel):
    """The decision as made."""

    model_config = ConfigDict(frozen=True)
    outcome: DiscretionDecision
    fine_fen: int
    warning: bool
    measures: list[str]
    followed: bool
    reason: str | None
    education: str | None
    decided_by: str
    decided_at: datetime
    recommended: DiscretionDecision
    recommended_fine_fen: int


class Case(BaseModel):
    """An administrative penalty case."""

    model_config = ConfigDict(frozen=True)
    id: UUID
    tenant: str
    origin: CaseOrigin
    procedure: Procedure
    state: CaseState
    category: str
    item_codes: list[str]
    departments: list[str]
    officer_id: str
    party_kind: PartyKind
    party_ref: str | None = None  # keyed hash of the ID number or credit code; never the number
    request_id: UUID | None = None
    incident_id: UUID | None = None
    mediation_id: UUID | None = None  # the mediation it came from or was settled by; one case per mediation
    facts: list[str] = Field(default_factory=list)
    amounts: dict[str, int] = Field(default_factory=dict)
    evidence: list[Evidence] = Field(default_factory=list)
    act_at: datetime | None = None
    opened_at: datetime
    deadlines: dict[DeadlineKind, datetime] = Field(default_factory=dict)  # open obligations
    missed: list[DeadlineKind] = Field(default_factory=list)
    extensions: list[dict[str, Any]] = Field(default_factory=list)
    filed_at: datetime | None = None
    filing_reason: str | None = None
    review: dict[str, Any] | None = None  # 法制审核: reviewer, approved, opinion, at
    notice_at: datetime | None = None
    hearing_until: datetime | None = None
    hearing: str | None = None  # requested, held
    decision: Decided | None = None
    served_at: datetime | None = None
    reconsideration_until: datetime | None = None
    litigation_until: datetime | None = None
    paid: dict[str, Any] | None = None
    transfer: dict[str, Any] | None = None
    closed_at: datetime | None = None
    documents: dict[str, str] = Field(default_factory=dict)  # kind → number issued


def _require(case: Case, *states: CaseState) -> None:
    if case.state not in states:
        raise Conflict(f"case is {case.state.value}; this step needs {' or '.join(s.value for s in states)}",
                       state=case.state.value)


def open_case(*, id: UUID, tenant: str, origin: CaseOrigin, category: str, item_codes: list[str],
              departments: list[str], officer_id: str, party_kind: PartyKind, now: datetime, filing_days: int,
              calendar: WorkingCalendar, **details: Any) -> Case:
    """A discovered matter; the filing decision is due `filing_days` working days on."""
    case = Case(id=id, tenant=tenant, origin=origin, procedure=Procedure.GENERAL, state=CaseState.DISCOVERED,
                category=category, item_codes=item_codes, departments=departments, officer_id=officer_id,
                party_kind=party_kind, opened_at=now, **details)
    return case.model_copy(update={"deadlines": {DeadlineKind.FILING: calendar.working_days_after(now, filing_days)}})


def open_summary(case: Case, *, decided: Decided, now: datetime, calendar: WorkingCalendar) -> Case:
    """A summary-procedure case (简易程序, Art. 51-52): decided and served on the spot."""
    deadlines = ({DeadlineKind.PAYMENT: calendar.calendar_days_after(now, PAYMENT_DAYS)}
                 if decided.fine_fen else {})
    return case.model_copy(update={
        "procedure": Procedure.SUMMARY, "state": CaseState.SERVED, "decision": decided, "filed_at": now,
        "served_at": now, "deadlines": deadlines,
        "reconsideration_until": calendar.calendar_days_after(now, RECONSIDERATION_DAYS),
        "litigation_until": calendar.calendar_days_after(now, LITIGATION_DAYS)})


def file(case: Case, *, filed: bool, reason: str, now: datetime) -> Case:
    """The filing decision (立案 or not), with its reason."""
    _require(case, CaseState.DISCOVERED)
    if filed and case.act_at is not None and (case.opened_at - case.act_at).days > LIMITATION_DAYS:
        raise Conflict("the act was not discovered within 2 years (Art. 36): it can no longer be penalised")
    if not filed:
        return case.model_copy(update={"state": CaseState.NOT_FILED, "filing_reason": reason, "filed_at": now,
                                       "deadlines": {}, "closed_at": now})
    return case.model_copy(update={"state": CaseState.FILED, "filing_reason": reason, "filed_at": now,
                                   "deadlines": {DeadlineKind.DECISION: now + timedelta(days=DECIDE_DAYS)}})


def add_evidence(case: Case, evidence: Evidence) -> Case:
    """Evidence joins an open case."""
    _require(case, *OPEN)
    return case.model_copy(update={"evidence": [*case.evidence, evidence]})


def establish(case: Case, *, facts: list[str], amounts: dict[str, int], item_codes: list[str] | None) -> Case:
    """Record the facts found in investigation (they drive the recommendation)."""
    _require(case, *OPEN)
    return case.model_copy(update={"facts": sorted(set(facts)), "amounts": amounts,
                                   "item_codes": item_codes or case.item_codes})


def extend(case: Case, *, days: int, reason: str, approved_by: str, now: datetime) -> Case:
    """Art. 60: a longer time to decide, approved and recorded."""
    _require(case, CaseState.FILED, CaseState.NOTIFIED)
    due = case.deadlines[DeadlineKind.DECISION] + timedelta(days=days)
    record = {"days": days, "reason": reason, "approved_by": approved_by, "at": now.isoformat()}
    return case.model_copy(update={"deadlines": {**case.deadlines, DeadlineKind.DECISION: due},
                                   "extensions": [*case.extensions, record]})


def review(case: Case, *, reviewer: str, approved: bool, opinion: str, now: datetime) -> Case:
    """Legal review (法制审核, Art. 58) of the intended decision."""
    _require(case, CaseState.FILED, CaseState.NOTIFIED)
    return case.model_copy(update={"review": {"reviewer": reviewer, "approved": approved, "opinion": opinion,
                                              "at": now.isoformat()}})


def notify(case: Case, *, hearing_right: bool, now: datetime, calendar: WorkingCalendar) -> Case:
    """Prior notice (告知, Art. 44): facts, reasons, basis, the right to state, defend and be heard."""
    _require(case, CaseState.FILED)
    until = calendar.working_days_after(now, HEARING_WORKING_DAYS) if hearing_right else None
    return case.model_copy(update={"state": CaseState.NOTIFIED, "notice_at": now, "hearing_until": until})


def hearing(case: Case, *, held: bool, now: datetime) -> Case:
    """The party asked for a hearing (within the window), or it was held."""
    _require(case, CaseState.NOTIFIED)
    if case.hearing_until is None:
        raise Conflict("this case carries no right to a hearing (Art. 63)")
    if not held and now > case.hearing_until:
        raise Conflict("the 5-day window to ask for a hearing has passed (Art. 64)")
    if held and case.hearing != "requested":
        raise Conflict("no hearing was requested")
    return case.model_copy(update={"hearing": "held" if held else "requested"})


def decide(case: Case, *, decision: Decision, decided: Decided, major: bool, now: datetime,
           calendar: WorkingCalendar) -> Case:
    """The decision, after notice (Art. 44/62), legal review when major (Art. 58), and any hearing."""
    penalty = decision.outcome not in NO_PENALTY
    _require(case, CaseState.NOTIFIED, *(() if penalty else (CaseState.FILED,)))
    if major and not (case.review or {}).get("approved"):
        raise Conflict("a major decision needs an approving legal review first (法制审核, Art. 58)")
    if case.hearing == "requested":
        raise Conflict("the requested hearing has not been held (Art. 64)")
    if case.hearing is None and case.hearing_until is not None and now <= case.hearing_until:
        raise Conflict(f"the party may still ask for a hearing until {case.hearing_until.isoformat()}")
    due = calendar.working_days_after(now, SERVICE_WORKING_DAYS)
    return case.model_copy(update={"state": CaseState.DECIDED, "decision": decided,
                                   "deadlines": {DeadlineKind.SERVICE: due}})


def serve(case: Case, *, now: datetime, calendar: WorkingCalendar) -> Case:
    """Service of the decision (送达, Art. 61); payment and the party's windows start."""
    _require(case, CaseState.DECIDED)
    assert case.decision is not None
    deadlines = ({DeadlineKind.PAYMENT: calendar.calendar_days_after(now, PAYMENT_DAYS)}
                 if case.decision.fine_fen else {})
    return case.model_copy(update={
        "state": CaseState.SERVED, "served_at": now, "deadlines": deadlines,
        "reconsideration_until": calendar.calendar_days_after(now, RECONSIDERATION_DAYS),
        "litigation_until": calendar.calendar_days_after(now, LITIGATION_DAYS)})


def pay(case: Case, *, amount_fen: int, surcharge_fen: int, paid_at: datetime, receipt: str, via: str) -> Case:
    """The fine (and any late surcharge, Art. 72) was paid."""
    _require(case, CaseState.SERVED)
    assert case.decision is not None
    owed = case.decision.fine_fen + surcharge_fen
    if not case.decision.fine_fen:
        raise Conflict("the decision imposes no fine")
    if amount_fen < owed:
        raise InvalidRequest(f"{owed / 100:.2f} yuan is owed (fine plus surcharge), {amount_fen / 100:.2f} paid",
                             field="amount_fen")
    record = {"amount_fen": amount_fen, "surcharge_fen": surcharge_fen, "at": paid_at.isoformat(),
              "receipt": receipt, "via": via}
    return case.model_copy(update={"state": CaseState.PAID, "paid": record, "deadlines": {}})


def transfer(case: Case, *, target: TransferTarget, department: str | None, receipt: str, reason: str,
             now: datetime) -> Case:
    """Case transfer (案件移送): to the department that owns it, or a suspected crime to the police."""
    _require(case, *OPEN)
    if target is TransferTarget.DEPARTMENT and not department:
        raise InvalidRequest("a transfer to a department names the department", field="department")
    record = {"target": target.value, "department": department, "receipt": receipt, "reason": reason,
              "at": now.isoformat()}
    return case.model_copy(update={"state": CaseState.TRANSFERRED, "transfer": record, "deadlines": {},
                                   "closed_at": now})


def assign(case: Case, *, officer_id: str) -> Case:
    """Give the case to an officer (a hand-back from mediation arrives without one)."""
    if case.state in (CaseState.CLOSED, CaseState.NOT_FILED, CaseState.TRANSFERRED):
        raise Conflict(f"case is {case.state.value}")
    return case.model_copy(update={"officer_id": officer_id})


def close(case: Case, *, now: datetime) -> Case:
    """Closing (结案): after payment, or after service when there is nothing to pay."""
    if case.state is CaseState.SERVED and case.decision is not None and case.decision.fine_fen:
        raise Conflict("the fine is not paid yet")
    _require(case, CaseState.SERVED, CaseState.PAID)
    return case.model_copy(update={"state": CaseState.CLOSED, "closed_at": now, "deadlines": {}})


def missed(case: Case, kind: DeadlineKind, due: datetime) -> Case | None:
    """The case after `kind`'s deadline `due` passed undone; None when it no longer applies."""
    if case.deadlines.get(kind) != due:
        return None
    return case.model_copy(update={"missed": sorted({*case.missed, kind})})


def issue(case: Case, *, kind: str, number: str) -> Case:
    """Record a document's number (a document is numbered once)."""
    return case.model_copy(update={"documents": {**case.documents, kind: number}})


def on_time(case: Case) -> bool:
    """Whether the authority met every deadline of its own (按期办结); a late payment is the party's."""
    return not set(case.missed) - {DeadlineKind.PAYMENT}


def warning_applies(case: Case, kind: DeadlineKind, due: datetime) -> bool:
    """Whether a warning for `kind` due at `due` still concerns an undone step."""
    return case.deadlines.get(kind) == due
