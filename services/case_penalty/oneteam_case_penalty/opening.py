"""How cases start: a hand-off from dispatch or mediation, by hand, or decided on the spot."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy.ext.asyncio import AsyncSession

from oneteam_case_penalty import recording
from oneteam_case_penalty.domain import cases as C
from oneteam_case_penalty.domain.cases import Case, Decided, Evidence
from oneteam_case_penalty.domain.decisions import Decision, PartyKind, check_decision
from oneteam_case_penalty.domain.parties import normalise, party_ref
from oneteam_case_penalty.events import emit
from oneteam_case_penalty.runtime import CaseRuntime
from oneteam_case_penalty.store import cases as case_store
from oneteam_case_penalty.store import parties as party_store
from oneteam_contracts import CaseDecided, CaseOpened, CaseOrigin, DeadlineKind, DiscretionDecision, Procedure
from oneteam_servicekit import InvalidRequest


@dataclass(frozen=True)
class PartyIn:
    """Who the case is about, as the officer entered it; only a hash and ciphertext are kept."""

    kind: PartyKind
    identifier: str | None = None
    contact: dict[str, str] | None = None


@dataclass(frozen=True)
class Opening:
    """Everything a new case starts from."""

    tenant: str
    origin: CaseOrigin
    category: str
    officer_id: str
    item_codes: list[str] | None = None
    department: str | None = None
    party: PartyIn | None = None
    request_id: UUID | None = None
    incident_id: UUID | None = None
    mediation_id: UUID | None = None
    photo_ids: tuple[str, ...] = ()
    facts: tuple[str, ...] = ()
    amounts: dict[str, int] | None = None
    act_at: datetime | None = None


async def open_case(runtime: CaseRuntime, session: AsyncSession, o: Opening, actor: str) -> Case | None:
    """A discovered matter becomes a case; None when its hand-off already opened one."""
    now = runtime.clock.now()
    tenant = runtime.tenant(o.tenant)
    items = recording.pick_items(runtime, o.tenant, o.category, o.item_codes, o.department)
    departments = sorted({i.department for i in items} or {o.department or "comprehensive_enforcement"})
    filing_days = max((tenant.catalogue.departments[d].filing_working_days for d in departments
                       if d in tenant.catalogue.departments), default=15)
    ref = await keep_party(runtime, session, o.party, now) if o.party else None
    evidence = [Evidence(kind="photo", ref=p, added_by=o.officer_id, added_at=now) for p in o.photo_ids]
    case = C.open_case(id=uuid4(), tenant=o.tenant, origin=o.origin, category=o.category,
                       item_codes=[i.code for i in items], departments=departments, officer_id=o.officer_id,
                       party_kind=o.party.kind if o.party else PartyKind.PERSON, now=now, filing_days=filing_days,
                       calendar=tenant.calendar, party_ref=ref, request_id=o.request_id, incident_id=o.incident_id,
                       mediation_id=o.mediation_id,
                       evidence=evidence, facts=sorted(set(o.facts)), amounts=o.amounts or {}, act_at=o.act_at)
    if not await recording.record(session, case, "opened", actor, now,
                                  {"origin": o.origin.value, "items": case.item_codes}, new=True):
        return None
    await emit(session, CaseOpened(case_id=case.id, origin=o.origin, procedure=case.procedure,
                                   request_id=o.request_id, incident_id=o.incident_id, category=o.category,
                                   departments=departments, opened_at=now,
                                   filing_due=case.deadlines.get(DeadlineKind.FILING)),
               tenant=o.tenant, subject=case.id)
    return case


async def open_summary(runtime: CaseRuntime, session: AsyncSession, o: Opening, decision: Decision,
                       actor: str) -> Case:
    """Summary procedure (简易程序, Art. 51-52): opened, decided and served on the spot in one step."""
    if o.party is None:
        raise InvalidRequest("a summary decision names its party", field="party")
    case = await open_case(runtime, session, o, actor)
    if case is None:
        raise InvalidRequest("this assignment's summary case exists already", field="request_id")
    now = runtime.clock.now()
    rec = await recording.recommendation(runtime, session, case, now)
    if rec is None:
        raise InvalidRequest("name the breached catalogue item", field="item_codes")
    followed = check_decision(decision, rec, recording.items_of(runtime, case), case.amounts,
                              Procedure.SUMMARY, case.party_kind)
    decided = decided_from(decision, rec.outcome, rec.fine_fen, list(rec.measures), followed, actor, now)
    case = C.open_summary(case, decided=decided, now=now, calendar=runtime.tenant(case.tenant).calendar)
    await finish_decision(runtime, session, case, actor, now)
    return case


def decided_from(decision: Decision, recommended: Any, recommended_fine_fen: int, measures: list[str],
                 followed: bool, actor: str, now: datetime) -> Decided:
    """The decision as the case keeps it."""
    return Decided(outcome=decision.outcome, fine_fen=decision.fine_fen, warning=decision.warning, measures=measures,
                   followed=followed, reason=decision.reason, education=decision.education, decided_by=actor,
                   decided_at=now, recommended=recommended, recommended_fine_fen=recommended_fine_fen)


async def finish_decision(runtime: CaseRuntime, session: AsyncSession, case: Case, actor: str,
                          now: datetime, explanation: dict[str, Any] | None = None) -> None:
    """Record a decision: findings join the party's history, the trail and the topic hear of it."""
    decided = case.decision
    assert decided is not None
    departments = {i.code: i.department for i in recording.items_of(runtime, case)}
    if decided.outcome is not DiscretionDecision.NO_PENALTY_NO_FAULT:
        await case_store.add_violations(session, case, departments, now)
    await recording.record(session, case, "decided", actor, now,
                           {**decided.model_dump(mode="json"), **(explanation or {})})
    await emit(session, CaseDecided(case_id=case.id, procedure=case.procedure, category=case.category,
                                    outcome=decided.outcome, rule_codes=case.item_codes,
                                    departments=case.departments, fine_fen=decided.fine_fen,
                                    measures=decided.measures, followed_recommendation=decided.followed,
                                    decided_at=now), tenant=case.tenant, subject=case.id)


async def keep_party(runtime: CaseRuntime, session: AsyncSession, party: PartyIn, now: datetime) -> str | None:
    """The party's reference; the identifier and contact are kept only encrypted, apart from the case."""
    if party.identifier is None:
        return None
    ref = party_ref(runtime.party_key, party.kind, party.identifier)
    fernet = runtime.fernet
    identifier_enc = fernet.encrypt(normalise(party.kind, party.identifier).encode()) if fernet else None
    contact_enc = fernet.encrypt(json.dumps(party.contact).encode()) if fernet and party.contact else None
    await party_store.keep(session, ref, party.kind.value, identifier_enc, contact_enc, now)
    return ref
