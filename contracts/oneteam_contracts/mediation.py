"""Mediation (调解) messages: a dispute from acceptance to its outcome, on ``oneteam.mediations``.

Subscribers are the case service (调解不罚: a kept agreement on a minor public-order matter),
the evaluation service (front-line resolution, on-time conclusion) and other platforms, so
these carry ids, codes, counts and times only: no party, no contact, no statement, no term's
wording. A mediation that fails or whose agreement is broken goes back to enforcement as
``mediation.failed`` on ``oneteam.handoffs`` (see ``cases.py``).
"""

from datetime import date
from enum import StrEnum
from uuid import UUID

from pydantic import Field

from .cases import Code
from .values import CategoryCode, ContractModel, UtcDatetime


class MediationOrigin(StrEnum):
    """How a dispute (纠纷) reached mediation."""

    REQUEST = "request"  # mediation.requested from dispatch: an officer found a dispute on site
    WALK_IN = "walk_in"  # parties came to the mediation room; a mediator opened it
    CASE_REFERRAL = "case_referral"  # the case service (or a department) referred a case
    ON_SITE = "on_site"  # an officer settled it on the spot and recorded the agreement


class MediationOutcome(StrEnum):
    """How a mediation ended."""

    RESOLVED_ON_SITE = "resolved_on_site"  # settled at the front line, agreement kept (一线化解)
    RESOLVED = "resolved"  # agreement reached in mediation and kept
    FAILED = "failed"  # no agreement
    WITHDRAWN = "withdrawn"  # a party withdrew or the matter went away
    REFERRED = "referred"  # handed on: a penalty case, the court or another body


class ReferralTarget(StrEnum):
    """Where a failed or broken mediation went."""

    CASE = "case"  # a penalty case: mediation.failed for the case service
    COURT = "court"  # the parties were advised to sue
    OTHER_BODY = "other_body"  # labour arbitration, a consumer association, ...


class SessionOutcome(StrEnum):
    """What one session (调解会) came to."""

    AGREEMENT = "agreement"
    ADJOURNED = "adjourned"
    NO_AGREEMENT = "no_agreement"


class MediationDeadlineKind(StrEnum):
    """A time limit of a mediation."""

    FIRST_SESSION = "first_session"  # first session within N working days of acceptance
    CONCLUSION = "conclusion"  # conclude within 30 days of acceptance (per dispute type)


class MediationOpened(ContractModel):
    """A dispute was accepted for mediation."""

    mediation_id: UUID
    origin: MediationOrigin
    request_id: UUID | None = Field(default=None, description="The mediation.requested hand-off, if any.")
    incident_id: UUID | None = None
    case_id: UUID | None = Field(default=None, description="The referring case, for a case referral.")
    category: CategoryCode
    dispute_type: Code = Field(description="The skill it needs: neighbour, consumer, labour_wages, ...")
    parties: int = Field(ge=0, description="How many parties are named so far.")
    opened_at: UtcDatetime
    conclusion_due: UtcDatetime | None = None


class MediationSessionScheduled(ContractModel):
    """A session was booked: mediator, room (none when online) and time."""

    mediation_id: UUID
    session_id: UUID
    mediator_id: str = Field(min_length=1, max_length=64)
    room_id: Code | None = Field(default=None, description="None for an online session.")
    online: bool
    starts_at: UtcDatetime
    ends_at: UtcDatetime


class MediationSessionCancelled(ContractModel):
    """A booked session was called off; its mediator, room and parties are free again."""

    mediation_id: UUID
    session_id: UUID
    cancelled_at: UtcDatetime


class MediationSessionReminder(ContractModel):
    """A session starts soon: a notifier tells the parties and the mediator."""

    mediation_id: UUID
    session_id: UUID
    starts_at: UtcDatetime
    minutes_before: int = Field(ge=0)
    reminded_at: UtcDatetime


class MediationSessionHeld(ContractModel):
    """A session took place; statements and the mediator's notes stay in the service."""

    mediation_id: UUID
    session_id: UUID
    attended: int = Field(ge=0, description="How many parties attended.")
    outcome: SessionOutcome
    held_at: UtcDatetime


class MediationAgreementSigned(ContractModel):
    """Every party signed the agreement (调解协议书); terms stay in the service."""

    mediation_id: UUID
    obligations: int = Field(ge=0)
    last_due: date | None = Field(default=None, description="The latest obligation's due day.")
    confirmation_due: UtcDatetime = Field(description="Last day to ask a court to confirm it (司法确认, 30 days).")
    on_site: bool = Field(description="Reached by an officer on the spot.")
    signed_at: UtcDatetime


class MediationAgreementKept(ContractModel):
    """The follow-up visit (回访) found every obligation kept."""

    mediation_id: UUID
    incident_id: UUID | None = None
    category: CategoryCode
    no_penalty_grounds: bool = Field(
        description="A minor public-order matter from a civil dispute on the tenant's list: grounds for 调解不罚.")
    kept_at: UtcDatetime


class MediationAgreementBroken(ContractModel):
    """A follow-up visit found an obligation not kept; a referral follows."""

    mediation_id: UUID
    broken_obligations: int = Field(ge=1)
    found_at: UtcDatetime


class MediationConcluded(ContractModel):
    """The mediation ended: resolved (on site or in mediation), failed, withdrawn or referred."""

    mediation_id: UUID
    origin: MediationOrigin
    incident_id: UUID | None = None
    category: CategoryCode
    outcome: MediationOutcome
    referral: ReferralTarget | None = None
    no_penalty_grounds: bool = False
    on_time: bool = Field(description="Concluded within the conclusion deadline.")
    concluded_at: UtcDatetime


class MediationDeadlineWarning(ContractModel):
    """A mediation's time limit is near and its step is undone."""

    mediation_id: UUID
    kind: MediationDeadlineKind
    due_at: UtcDatetime
    warned_at: UtcDatetime


class MediationDeadlineMissed(ContractModel):
    """A mediation's time limit passed with its step undone."""

    mediation_id: UUID
    kind: MediationDeadlineKind
    due_at: UtcDatetime
    missed_at: UtcDatetime
