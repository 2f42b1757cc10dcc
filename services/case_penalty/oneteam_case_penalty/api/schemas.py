"""Request and response bodies of the case API."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from oneteam_case_penalty.domain.cases import Case
from oneteam_case_penalty.domain.decisions import Decision, PartyKind
from oneteam_case_penalty.domain.discretion import Recommendation
from oneteam_case_penalty.opening import PartyIn
from oneteam_contracts import CategoryCode, DiscretionDecision, TransferTarget, UtcDatetime

Code = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{1,63}$")]
Text = Annotated[str, Field(min_length=1, max_length=2000)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PartyBody(_In):
    """The party: an ID number (person) or credit code (organisation), validated, never stored in clear."""

    kind: PartyKind
    identifier: str | None = Field(None, min_length=15, max_length=18)
    contact: dict[Annotated[str, Field(max_length=32)], Annotated[str, Field(max_length=200)]] | None = None

    def party(self) -> PartyIn:
        return PartyIn(self.kind, self.identifier, self.contact)


class OpenIn(_In):
    """A case opened by hand by an enforcement officer."""

    tenant: str | None = None
    category: CategoryCode
    item_codes: list[Code] | None = Field(None, max_length=10)
    party: PartyBody | None = None
    facts: list[Code] = Field([], max_length=30)
    amounts: dict[Code, Annotated[int, Field(ge=0)]] = {}
    incident_id: UUID | None = None
    photo_ids: list[Annotated[str, Field(min_length=1, max_length=200)]] = Field([], max_length=50)
    act_at: UtcDatetime | None = None


class DecisionIn(_In):
    """A decision; `reason` when it departs from the recommendation, `education` for no penalty (Art. 33)."""

    outcome: DiscretionDecision
    fine_fen: int = Field(0, ge=0)
    warning: bool = False
    reason: Text | None = None
    education: Text | None = None

    def decision(self) -> Decision:
        return Decision(self.outcome, self.fine_fen, self.warning, self.reason, self.education)


class SummaryIn(OpenIn):
    """A summary-procedure case (简易程序) from an assignment, decided on the spot in one request."""

    assignment_id: UUID
    party: PartyBody
    decision: DecisionIn


class FilingIn(_In):
    filed: bool
    reason: Text


class EvidenceIn(_In):
    kind: Annotated[str, Field(pattern=r"^(photo|inspection_record|statement|document)$")]
    ref: Annotated[str, Field(min_length=1, max_length=200)]


class FactsIn(_In):
    facts: list[Code] = Field(max_length=30)
    amounts: dict[Code, Annotated[int, Field(ge=0)]] = {}
    item_codes: list[Code] | None = Field(None, max_length=10)


class ExtensionIn(_In):
    days: int = Field(ge=1, le=180)
    reason: Text


class ReviewIn(_In):
    approved: bool
    opinion: Text


class EmptyIn(_In):
    """A step that needs no input: prior notice given, decision served, case closed."""


class HearingIn(_In):
    held: bool = False


class PaymentIn(_In):
    amount_fen: int = Field(gt=0)
    receipt: Annotated[str, Field(min_length=1, max_length=100)]
    paid_at: UtcDatetime | None = None


class CallbackIn(PaymentIn):
    tenant: str
    case_id: UUID


class TransferIn(_In):
    target: TransferTarget
    department: Code | None = None
    receipt: Annotated[str, Field(min_length=1, max_length=100)]
    reason: Text


class AssignIn(_In):
    officer_id: Annotated[str, Field(min_length=1, max_length=64)]


class CaseOut(BaseModel):
    """A case, its recommendation and the explanation of every rule considered."""

    case: dict[str, Any]
    recommendation: dict[str, Any] | None


def case_out(case: Case, rec: Recommendation | None) -> CaseOut:
    """Response shape of a case; the party appears only by kind and whether it is identified."""
    body = case.model_dump(mode="json")
    body["party_identified"] = body.pop("party_ref") is not None
    return CaseOut(case=body, recommendation=recommendation_out(rec) if rec else None)


def recommendation_out(rec: Recommendation) -> dict[str, Any]:
    """The recommendation as JSON: outcome, the one fine and whose it is, each part and each rule's check."""
    return {"outcome": rec.outcome.value, "fine_fen": rec.fine_fen, "fine_item": rec.fine_item,
            "measures": list(rec.measures), "major": rec.major, "hearing_right": rec.hearing_right,
            "parts": [p.__dict__ for p in rec.parts], "checks": [c.__dict__ for c in rec.checks]}


def now_or(value: datetime | None, now: datetime) -> datetime:
    """`value` when given, else now."""
    return value or now
