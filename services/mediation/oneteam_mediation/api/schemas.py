"""Request and response bodies of mediation's API, and how a mediation is shown to each role."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

from oneteam_contracts import CategoryCode, ReferralTarget, SessionOutcome
from oneteam_mediation.domain import agreements as A
from oneteam_mediation.domain.mediations import Mediation
from oneteam_mediation.domain.parties import Consent, PartyKind, mask_contact
from oneteam_mediation.domain.registry import Skill
from oneteam_mediation.opening import PartyIn

Short = Annotated[str, StringConstraints(min_length=1, max_length=100)]
PartyId = Annotated[str, StringConstraints(pattern=r"^p[0-9]{1,3}$")]


class Body(BaseModel):
    """Strict input: unknown fields refused."""

    model_config = ConfigDict(extra="forbid")


class EmptyIn(Body):
    """No fields."""


class ContactIn(Body):
    """A party's contact, kept apart from the mediation and masked for roles without need."""

    name: Short | None = None
    phone: Annotated[str, StringConstraints(pattern=r"^\+?[0-9-]{5,20}$")] | None = None
    address: Annotated[str, StringConstraints(max_length=200)] | None = None


class PartyBody(Body):
    """A party: person or organisation; the ID number or credit code is kept only as a keyed hash."""

    kind: PartyKind
    identifier: Annotated[str, StringConstraints(min_length=15, max_length=20)] | None = None
    organisation: Short | None = Field(default=None, description="An organisation's code, for conflict checks")
    contact: ContactIn = Field(default_factory=ContactIn)
    declared_ties: list[Short] = Field(default_factory=list, description="Mediators the party is tied to")

    def party(self) -> PartyIn:
        """The party as the application takes it."""
        contact = {k: v for k, v in self.contact.model_dump().items() if v}
        return PartyIn(kind=self.kind, identifier=self.identifier, organisation=self.organisation, contact=contact,
                       declared_ties=tuple(self.declared_ties))


class OpenIn(Body):
    """A walk-in at the mediation room, or a case referred for mediation."""

    tenant: str | None = None
    origin: Literal["walk_in", "case_referral"]
    category: CategoryCode
    dispute_type: Skill | None = Field(default=None, description="Default: from the registry's dispute_types")
    parties: list[PartyBody] = Field(default_factory=list, max_length=20)
    case_id: UUID | None = None
    incident_id: UUID | None = None


class PartiesIn(Body):
    """More parties."""

    parties: list[PartyBody] = Field(min_length=1, max_length=20)


class ObligationIn(Body):
    """One term of the agreement."""

    id: Annotated[str, StringConstraints(pattern=r"^o[0-9]{1,3}$")]
    party_id: PartyId
    kind: A.ObligationKind
    terms: Annotated[str, StringConstraints(min_length=1, max_length=2000)]
    amount_fen: int | None = Field(default=None, ge=0)
    due: date

    def obligation(self) -> A.Obligation:
        """The domain's obligation."""
        return A.Obligation(**self.model_dump())


class SignatureIn(Body):
    """A party's signature record."""

    party_id: PartyId
    method: Literal["handwritten", "e_signature", "fingerprint"] = "handwritten"


class AgreementIn(Body):
    """The agreement (调解协议书): obligations and every party's signature."""

    obligations: list[ObligationIn] = Field(default_factory=list, max_length=50)
    signatures: list[SignatureIn] = Field(min_length=2, max_length=20)

    def parts(self, now: datetime) -> tuple[list[A.Obligation], list[A.Signature]]:
        """Obligations and signatures as the domain takes them."""
        return ([o.obligation() for o in self.obligations],
                [A.Signature(party_id=s.party_id, method=s.method, signed_at=now) for s in self.signatures])


class OnSiteIn(AgreementIn):
    """A settlement an officer reached on the spot (parties numbered p1, p2, ... in order)."""

    tenant: str | None = None
    category: CategoryCode
    dispute_type: Skill | None = None
    incident_id: UUID | None = None
    parties: list[PartyBody] = Field(min_length=2, max_length=20)


class ConsentIn(Body):
    """A party's consent to mediation, or refusal."""

    party_id: PartyId
    consent: Literal["given", "refused"]

    def value(self) -> Consent:
        """The domain's consent."""
        return Consent(self.consent)


class AssignIn(Body):
    """The mediator chosen."""

    mediator_id: Short


class SessionIn(Body):
    """A session to book; no room_id means online."""

    starts_at: AwareDatetime
    ends_at: AwareDatetime
    room_id: Short | None = None


class SessionRecordIn(Body):
    """What a session came to; statements and notes stay in the service."""

    attended: list[PartyId] = Field(default_factory=list)
    outcome: SessionOutcome
    statements: dict[PartyId, Annotated[str, StringConstraints(max_length=4000)]] = Field(default_factory=dict)
    notes: Annotated[str, StringConstraints(max_length=4000)] | None = None


class FollowUpIn(Body):
    """A follow-up visit (回访); several departments make it a joint visit (综合访一次)."""

    results: dict[Annotated[str, StringConstraints(pattern=r"^o[0-9]{1,3}$")], Literal["kept", "broken"]] = Field(
        min_length=1)
    departments: list[Short] = Field(default_factory=list)
    note: Annotated[str, StringConstraints(max_length=4000)] | None = None
    referral: ReferralTarget = Field(ReferralTarget.CASE, description="Where a broken agreement goes")


class ReferralIn(Body):
    """No agreement: where the dispute goes, and why."""

    target: ReferralTarget | None = Field(description="None: the mediation failed and goes nowhere")
    reason: Annotated[str, StringConstraints(min_length=1, max_length=500)]


class ConfirmationIn(Body):
    """The parties applied for judicial confirmation (司法确认)."""

    applied_at: AwareDatetime


class CandidateOut(BaseModel):
    """A mediator's place in a proposal, with the reason."""

    mediator_id: str
    eligible: bool
    open_mediations: int
    reason: str


class MediationOut(BaseModel):
    """A mediation as the caller may see it: contacts masked and notes hidden unless privileged."""

    mediation: dict[str, Any]
    contacts: dict[str, dict[str, str]]
    judicial_confirmation: str | None = Field(description="open, applied or expired; none before an agreement")


def mediation_out(m: Mediation, contacts: dict[str, dict[str, str]], privileged: bool, now: datetime) -> MediationOut:
    """What the caller sees of `m`."""
    document = m.model_dump(mode="json")
    if not privileged:
        document["handoff_notes"] = None
        for s in document["sessions"]:
            s["notes"], s["statements"] = None, {}
        for f in document["follow_ups"]:
            f["note"] = None
        contacts = {p: mask_contact(c) for p, c in contacts.items()}
    status = A.confirmation_status(m.agreement, now) if m.agreement else None
    return MediationOut(mediation=document, contacts=contacts, judicial_confirmation=status)
