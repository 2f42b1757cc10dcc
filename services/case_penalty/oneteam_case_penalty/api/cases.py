"""Cases: open by hand, a summary decision on the spot, the party, and reads with the recommendation."""

from __future__ import annotations

import json
from typing import Annotated
from uuid import UUID, uuid5

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from oneteam_case_penalty import recording, steps
from oneteam_case_penalty.api.common import (
    TENANT_READERS,
    Cases,
    IdempotencyKey,
    Officer,
    Reader,
    Worker,
    actor,
    officer_id_of,
    tenant_of,
    visible_to,
    writable_by,
)
from oneteam_case_penalty.api.schemas import CaseOut, OpenIn, PartyBody, SummaryIn, case_out
from oneteam_case_penalty.domain.cases import CaseState
from oneteam_case_penalty.domain.parties import mask, mask_contact
from oneteam_case_penalty.opening import Opening, keep_party, open_case, open_summary
from oneteam_case_penalty.runtime import CaseRuntime
from oneteam_case_penalty.store import cases as case_store
from oneteam_case_penalty.store import parties as party_store
from oneteam_contracts import CaseOrigin
from oneteam_servicekit import Conflict, InvalidRequest
from oneteam_servicekit.auth import Role
from oneteam_servicekit.once import once

router = APIRouter(prefix="/v1", tags=["cases"])
# Summary cases are keyed by their assignment, so the same assignment cannot be decided twice.
_SUMMARY_NAMESPACE = UUID("6f1d8a52-3c1e-4f4a-9a57-0b1f6c2d9e01")


def _opening(runtime: CaseRuntime, body: OpenIn, tenant: str, officer_id: str, origin: CaseOrigin,
             request_id: UUID | None) -> Opening:
    recording.check_entered(runtime, tenant, body.facts, body.act_at)
    return Opening(tenant=tenant, origin=origin, category=body.category, officer_id=officer_id,
                   item_codes=body.item_codes, party=body.party.party() if body.party else None,
                   request_id=request_id, incident_id=body.incident_id, photo_ids=tuple(body.photo_ids),
                   facts=tuple(body.facts), amounts=dict(body.amounts), act_at=body.act_at)


@router.post("/cases", response_model=CaseOut, status_code=201, summary="Open a case by hand (officer)")
async def open_by_hand(body: OpenIn, runtime: Cases, principal: Worker, key: IdempotencyKey = None) -> JSONResponse:
    tenant = tenant_of(principal, body.tenant)
    async with runtime.transaction() as session:
        async def act() -> CaseOut:
            opening = _opening(runtime, body, tenant, officer_id_of(principal), CaseOrigin.MANUAL, None)
            case = await open_case(runtime, session, opening, actor(principal))
            assert case is not None, "a case opened by hand has no hand-off to repeat"
            return case_out(case, await recording.recommendation(runtime, session, case, runtime.clock.now()))
        return await once(session, "cases:open", key, body.model_dump(mode="json"), act, principal=principal,
                          status=201)


@router.post("/cases/summary", response_model=CaseOut, status_code=201,
             summary="Summary procedure from an assignment: opened, decided and served in one request (Art. 51)")
async def summary(body: SummaryIn, runtime: Cases, principal: Officer, key: IdempotencyKey = None) -> JSONResponse:
    tenant = tenant_of(principal, body.tenant)
    async with runtime.transaction() as session:
        async def act() -> CaseOut:
            request_id = uuid5(_SUMMARY_NAMESPACE, f"{tenant}:{body.assignment_id}")
            opening = _opening(runtime, body, tenant, officer_id_of(principal), CaseOrigin.SUMMARY, request_id)
            case = await open_summary(runtime, session, opening, body.decision.decision(), actor(principal))
            return case_out(case, await recording.recommendation(runtime, session, case, runtime.clock.now()))
        return await once(session, "cases:summary", key, body.model_dump(mode="json"), act, principal=principal,
                          status=201)


@router.put("/cases/{case_id}/party", response_model=CaseOut, summary="Identify the party (validated, hashed)")
async def identify(case_id: UUID, body: PartyBody, runtime: Cases, principal: Worker,
                   key: IdempotencyKey = None) -> JSONResponse:
    if body.identifier is None:
        raise InvalidRequest("give the ID number or credit code", field="identifier")
    async with runtime.transaction() as session:
        async def act() -> CaseOut:
            case = await steps.load(session, case_id, writable_by(principal))
            if case.state not in (CaseState.DISCOVERED, CaseState.FILED, CaseState.NOTIFIED):
                # A state, not the input, is what stands in the way: 409, as every other step answers.
                raise Conflict(f"case is {case.state.value}; the party is fixed once the case is decided, "
                               "transferred or closed", state=case.state.value)
            ref = await keep_party(runtime, session, body.party(), runtime.clock.now())
            after = case.model_copy(update={"party_ref": ref, "party_kind": body.kind})
            after = await steps.change(runtime, session, case, after, "party_identified", actor(principal),
                                       {"kind": body.kind.value})
            return case_out(after, await recording.recommendation(runtime, session, after, runtime.clock.now()))
        return await once(session, f"case:{case_id}:party", key, body.model_dump(mode="json"), act,
                          principal=principal)


@router.get("/cases/{case_id}", response_model=CaseOut,
            summary="A case with its recommendation and the explanation of every rule")
async def get_case(case_id: UUID, runtime: Cases, principal: Reader) -> CaseOut:
    async with runtime.sessions() as session:
        case = await steps.load(session, case_id, visible_to(principal))
        return case_out(case, await recording.recommendation(runtime, session, case, runtime.clock.now()))


@router.get("/cases", response_model=list[CaseOut], summary="Cases, newest first (officers: their own)")
async def list_cases(runtime: Cases, principal: Reader, tenant: str | None = None, state: CaseState | None = None,
                     limit: Annotated[int, Query(ge=1, le=500)] = 100) -> list[CaseOut]:
    scope = tenant_of(principal, tenant)
    officer = None if principal.has(*TENANT_READERS) else officer_id_of(principal)
    async with runtime.sessions() as session:
        found = await case_store.list_cases(session, tenant=scope, officer_id=officer,
                                            state=state.value if state else None, limit=limit)
    return [case_out(c, None) for c in found]


@router.get("/cases/{case_id}/party", summary="The party: in full for heads and legal reviewers, masked for others")
async def party(case_id: UUID, runtime: Cases, principal: Reader) -> dict[str, object]:
    async with runtime.sessions() as session:
        case = await steps.load(session, case_id, visible_to(principal))
        identifier_enc, contact_enc = (await party_store.sealed(session, case.party_ref) if case.party_ref
                                       else (None, None))
    # Those who sign decisions and documents need the number; everyone else sees enough to recognise it.
    full = principal.has(Role.DEPARTMENT_HEAD, Role.LEGAL_REVIEWER, Role.ADMIN)
    fernet = runtime.fernet
    identifier = fernet.decrypt(identifier_enc).decode() if fernet and identifier_enc else None
    contact = json.loads(fernet.decrypt(contact_enc)) if fernet and contact_enc else None
    return {"kind": case.party_kind.value, "identified": case.party_ref is not None,
            "identifier": identifier if full or identifier is None else mask(identifier),
            "contact": contact if full or contact is None else mask_contact(contact)}
