"""How mediations start: a hand-off from dispatch, a walk-in, a case referral, or a settlement an
officer already reached on site (recorded so front-line resolution is counted)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from uuid import UUID, uuid4

from sqlalchemy.ext.asyncio import AsyncSession

from oneteam_contracts import MediationAgreementSigned, MediationOpened, MediationOrigin
from oneteam_mediation import recording
from oneteam_mediation.domain import agreements as A
from oneteam_mediation.domain import mediations as M
from oneteam_mediation.domain.parties import Consent, Party, PartyKind, party_ref
from oneteam_mediation.domain.registry import Skill
from oneteam_mediation.events import emit
from oneteam_mediation.runtime import MediationRuntime
from oneteam_mediation.store import mediations as store


@dataclass(frozen=True)
class PartyIn:
    """A party as staff entered it; the identifier becomes a keyed hash, the contact is kept apart."""

    kind: PartyKind
    identifier: str | None = None
    organisation: str | None = None
    contact: dict[str, str] = field(default_factory=dict)
    declared_ties: tuple[str, ...] = ()


@dataclass(frozen=True)
class Opening:
    """Everything a new mediation starts from."""

    tenant: str
    origin: MediationOrigin
    category: str
    parties: Sequence[PartyIn] = ()
    skill: Skill | None = None
    request_id: UUID | None = None
    incident_id: UUID | None = None
    case_id: UUID | None = None
    handoff_notes: str | None = None


async def open_mediation(runtime: MediationRuntime, session: AsyncSession, o: Opening, actor: str,
                         consent: Consent = Consent.PENDING) -> M.Mediation | None:
    """A dispute accepted for mediation; None when its hand-off already opened one."""
    now = runtime.clock.now()
    tenant = runtime.tenant(o.tenant)
    id = uuid4()
    parties = make_parties(runtime, o.parties, 1, consent)
    m = M.open_mediation(id=id, tenant=o.tenant, origin=o.origin, category=o.category, registry=tenant.registry,
                         created_by=actor, now=now, calendar=tenant.calendar, parties=parties, skill=o.skill,
                         request_id=o.request_id, incident_id=o.incident_id, case_id=o.case_id,
                         handoff_notes=o.handoff_notes)
    if not await recording.record(runtime, session, None, m, now):
        return None
    await keep_contacts(session, m.id, parties, o.parties)
    await emit(session, MediationOpened(
        mediation_id=m.id, origin=m.origin, request_id=m.request_id, incident_id=m.incident_id, case_id=m.case_id,
        category=m.category, dispute_type=m.skill.value, parties=len(m.parties), opened_at=now,
        conclusion_due=m.conclusion_due), tenant=m.tenant, subject=m.id)
    return m


async def settle_on_site(runtime: MediationRuntime, session: AsyncSession, o: Opening,
                         obligations: Sequence[A.Obligation], signatures: Sequence[A.Signature],
                         actor: str) -> M.Mediation:
    """An officer's settlement on the spot: consent is implied by the signatures; concluded at once
    when nothing is left to do, otherwise followed up like any agreement."""
    opened = await open_mediation(runtime, session, o, actor, consent=Consent.GIVEN)
    assert opened is not None, "an on-site settlement has no hand-off to repeat"
    return await sign(runtime, session, opened, obligations, signatures)


async def sign(runtime: MediationRuntime, session: AsyncSession, m: M.Mediation,
               obligations: Sequence[A.Obligation], signatures: Sequence[A.Signature]) -> M.Mediation:
    """The agreement signed by every party (调解协议书)."""
    now = runtime.clock.now()
    tenant = runtime.tenant(m.tenant)
    after = M.sign_agreement(m, obligations, signatures, now, tenant.calendar, tenant.registry)
    assert after.agreement is not None
    dues = [o.due for o in after.agreement.obligations]
    # The signature goes out before the conclusion an agreement with nothing left to do leads to.
    await emit(session, MediationAgreementSigned(
        mediation_id=m.id, obligations=len(dues), last_due=max(dues, default=None),
        confirmation_due=after.agreement.confirmation_due, on_site=m.origin is MediationOrigin.ON_SITE,
        signed_at=now), tenant=m.tenant, subject=m.id)
    await recording.record(runtime, session, m, after, now)
    return after


def make_parties(runtime: MediationRuntime, given: Sequence[PartyIn], first: int,
                 consent: Consent = Consent.PENDING) -> list[Party]:
    """Parties numbered p<first>, p<first+1>, ...; identifiers hashed, contacts left out."""
    key = runtime.party_key
    return [Party(id=f"p{first + i}", kind=p.kind,
                  ref=party_ref(key, p.kind, p.identifier, field="parties.identifier") if p.identifier else None,
                  organisation=p.organisation, declared_ties=list(p.declared_ties), consent=consent)
            for i, p in enumerate(given)]


async def keep_contacts(session: AsyncSession, mediation_id: UUID, parties: Sequence[Party],
                        given: Sequence[PartyIn]) -> None:
    """Keep each party's contact apart from the mediation."""
    for party, entered in zip(parties, given, strict=True):
        if entered.contact:
            await store.keep_contact(session, mediation_id, party.id, dict(entered.contact))
