"""Case (案件) messages: an administrative penalty case from opening to closing, and the
mediation service's hand-back when mediation fails.

Subscribers are other platforms and the evaluation service (on-time closure, no-penalty
counts), so these carry codes and amounts only: no party, no identifier, no free text.
"""

from enum import StrEnum
from typing import Annotated
from uuid import UUID

from pydantic import Field, StringConstraints

from .values import CATEGORY_CODE_PATTERN, CategoryCode, ContractModel, UtcDatetime

# Codes, never words: a free-text field is where personal data would slip onto a topic.
Code = Annotated[str, StringConstraints(pattern=CATEGORY_CODE_PATTERN)]
DepartmentCode = Code
RuleCode = Code


class CaseOrigin(StrEnum):
    """How a case started."""

    REQUEST = "request"  # case.requested from dispatch: an officer's outcome or a joint finding
    MEDIATION = "mediation"  # mediation.failed: no agreement, or an agreement not kept
    MANUAL = "manual"  # opened by hand by an enforcement officer
    SUMMARY = "summary"  # decided on the spot, summary procedure (简易程序, Art. 51)


class Procedure(StrEnum):
    """Summary procedure (简易程序, Art. 51-53) or general procedure (普通程序, Art. 54-65)."""

    SUMMARY = "summary"
    GENERAL = "general"


class DiscretionDecision(StrEnum):
    """The outcome rule of a decision (裁量)."""

    NO_PENALTY_MINOR = "no_penalty_minor"  # 轻微不罚, Art. 33 ¶1
    NO_PENALTY_FIRST = "no_penalty_first"  # 首违不罚, Art. 33 ¶1
    NO_PENALTY_MEDIATED = "no_penalty_mediated"  # 调解不罚, local policy
    NO_PENALTY_NO_FAULT = "no_penalty_no_fault"  # 无过错不罚, Art. 33 ¶2
    REDUCED_PUBLIC_BENEFIT = "reduced_public_benefit"  # 公益减罚, local policy
    FAST_MINOR_PENALTY = "fast_minor_penalty"  # 轻微速罚, summary procedure
    PENALTY = "penalty"


class DeadlineKind(StrEnum):
    """A legal deadline of a case."""

    FILING = "filing"  # decide whether to file (立案), per department rules, working days
    DECISION = "decision"  # 90 days from filing, Art. 60 (plus recorded extensions)
    HEARING_REQUEST = "hearing_request"  # 5 days after the prior notice, Art. 64
    SERVICE = "service"  # serve the decision within 7 days, Art. 61
    PAYMENT = "payment"  # pay within 15 days of service, Art. 67
    RECONSIDERATION = "reconsideration"  # 60 days, Administrative Reconsideration Law
    LITIGATION = "litigation"  # 6 months, Administrative Litigation Law


class TransferTarget(StrEnum):
    """Where a transferred case (案件移送) went."""

    DEPARTMENT = "department"  # the department that owns the matter
    POLICE = "police"  # a suspected crime


class MediationFailure(StrEnum):
    """Why mediation handed a matter back for enforcement."""

    NO_AGREEMENT = "no_agreement"
    AGREEMENT_NOT_KEPT = "agreement_not_kept"
    PARTY_REFUSED = "party_refused"


class CaseOpened(ContractModel):
    """A case exists: from a request, a failed mediation, by hand, or on the spot."""

    case_id: UUID
    origin: CaseOrigin
    procedure: Procedure
    request_id: UUID | None = Field(default=None, description="The case.requested or mediation.failed hand-off.")
    incident_id: UUID | None = None
    category: CategoryCode
    departments: list[DepartmentCode] = Field(min_length=1, description="Departments whose rules are in question.")
    opened_at: UtcDatetime
    filing_due: UtcDatetime | None = Field(default=None, description="When the filing decision is due.")


class CaseFiled(ContractModel):
    """The filing decision (立案 or not) was made."""

    case_id: UUID
    filed: bool
    filed_at: UtcDatetime
    decision_due: UtcDatetime | None = Field(default=None, description="90 days after filing (Art. 60).")


class CaseDecided(ContractModel):
    """A decision was made: penalty, no penalty or a reduced one. Codes and amounts only."""

    case_id: UUID
    procedure: Procedure
    category: CategoryCode
    outcome: DiscretionDecision
    rule_codes: list[RuleCode] = Field(description="Catalogue items breached (one act may breach several).")
    departments: list[DepartmentCode]
    fine_fen: int = Field(ge=0, description="The one fine (Art. 29), in fen (0.01 yuan); 0 for none.")
    measures: list[Code] = Field(default_factory=list, description="Non-fine measure codes, e.g. order_to_correct.")
    followed_recommendation: bool
    decided_at: UtcDatetime


class CaseDeadlineWarning(ContractModel):
    """A case's legal deadline is near and its step is undone."""

    case_id: UUID
    kind: DeadlineKind
    due_at: UtcDatetime
    warned_at: UtcDatetime


class CaseDeadlineMissed(ContractModel):
    """A case's legal deadline passed with its step undone: the command centre's board shows it."""

    case_id: UUID
    kind: DeadlineKind
    due_at: UtcDatetime
    missed_at: UtcDatetime


class CaseTransferred(ContractModel):
    """The case went to the department that owns it, or to the police (案件移送)."""

    case_id: UUID
    target: TransferTarget
    department: DepartmentCode | None = Field(default=None, description="Receiving department, if one.")
    transferred_at: UtcDatetime


class CaseClosed(ContractModel):
    """The case is closed (结案)."""

    case_id: UUID
    outcome: DiscretionDecision | None = Field(default=None, description="None when not filed or transferred.")
    on_time: bool = Field(description="Every legal deadline of the case was met (按期办结).")
    closed_at: UtcDatetime


class MediationFailed(ContractModel):
    """Mediation ended without a kept agreement: the case service should open a case."""

    request_id: UUID = Field(description="Id of this hand-off; the case service opens one case per request.")
    mediation_id: UUID
    incident_id: UUID | None = None
    category: CategoryCode
    reason: MediationFailure
    failed_at: UtcDatetime
