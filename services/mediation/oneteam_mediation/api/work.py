"""The work on a mediation, one route each: parties, consent, proposal and mediator, sessions and
their records, agreement, judicial confirmation, follow-up visits, referral, withdrawal."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from uuid import UUID

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from oneteam_mediation import opening, steps
from oneteam_mediation.api.common import IdempotencyKey, Reader, Runtime, Worker, actor, visible_to, writable_by
from oneteam_mediation.api.mediations import shown
from oneteam_mediation.api.schemas import (
    AgreementIn,
    AssignIn,
    CandidateOut,
    ConfirmationIn,
    ConsentIn,
    EmptyIn,
    FollowUpIn,
    MediationOut,
    PartiesIn,
    ReferralIn,
    SessionIn,
    SessionRecordIn,
)
from oneteam_mediation.domain import agreements as A
from oneteam_mediation.domain.mediations import Mediation
from oneteam_mediation.runtime import MediationRuntime
from oneteam_servicekit.auth import Principal
from oneteam_servicekit.once import once

router = APIRouter(prefix="/v1/mediations/{mediation_id}", tags=["mediation work"])
Step = Callable[[AsyncSession, Mediation], Awaitable[Mediation]]


async def run(runtime: MediationRuntime, principal: Principal, mediation_id: UUID, name: str, body: BaseModel,
              key: str | None, step: Step, status: int = 200) -> JSONResponse:
    """Load the mediation locked, apply `step`, answer with the mediation — once per key."""
    async with runtime.transaction() as session:
        async def act() -> MediationOut:
            m = await steps.load(session, mediation_id, writable_by(runtime, principal))
            return await shown(runtime, session, principal, await step(session, m))
        return await once(session, f"mediation:{mediation_id}:{name}", key, body.model_dump(mode="json"), act,
                          principal=principal, status=status)


@router.post("/parties", response_model=MediationOut, summary="Name more parties")
async def parties(mediation_id: UUID, body: PartiesIn, runtime: Runtime, principal: Worker,
                  key: IdempotencyKey = None) -> JSONResponse:
    return await run(runtime, principal, mediation_id, "parties", body, key,
                     lambda s, m: steps.add_parties(runtime, s, m, [p.party() for p in body.parties]))


@router.post("/consents", response_model=MediationOut,
             summary="A party consents or refuses (a refusal refers the matter to a penalty case)")
async def consent(mediation_id: UUID, body: ConsentIn, runtime: Runtime, principal: Worker,
                  key: IdempotencyKey = None) -> JSONResponse:
    return await run(runtime, principal, mediation_id, f"consent:{body.party_id}", body, key,
                     lambda s, m: steps.consent(runtime, s, m, body.party_id, body.value()))


@router.get("/proposal", response_model=list[CandidateOut],
            summary="Every mediator ranked by skill, conflicts and workload, each with the reason")
async def proposal(mediation_id: UUID, runtime: Runtime, principal: Reader) -> list[CandidateOut]:
    async with runtime.sessions() as session:
        m = await steps.load(session, mediation_id, visible_to(runtime, principal), lock=False)
        return [CandidateOut(**c.__dict__) for c in await steps.proposal(runtime, session, m)]


@router.put("/mediator", response_model=MediationOut, summary="Assign the mediator (refused on a conflict)")
async def assign(mediation_id: UUID, body: AssignIn, runtime: Runtime, principal: Worker,
                 key: IdempotencyKey = None) -> JSONResponse:
    return await run(runtime, principal, mediation_id, "mediator", body, key,
                     lambda s, m: steps.assign(runtime, s, m, body.mediator_id))


@router.post("/sessions", response_model=MediationOut, status_code=201,
             summary="Book a session: mediator, room (none: online) and parties, never double-booked")
async def schedule(mediation_id: UUID, body: SessionIn, runtime: Runtime, principal: Worker,
                   key: IdempotencyKey = None) -> JSONResponse:
    return await run(runtime, principal, mediation_id, "sessions", body, key,
                     lambda s, m: steps.schedule(runtime, s, m, body.starts_at, body.ends_at, body.room_id),
                     status=201)


@router.delete("/sessions/{session_id}", response_model=MediationOut,
               summary="Call a session off (to move it, cancel and book anew): bookings freed, reminders dropped")
async def cancel(mediation_id: UUID, session_id: UUID, runtime: Runtime, principal: Worker,
                 key: IdempotencyKey = None) -> JSONResponse:
    return await run(runtime, principal, mediation_id, f"cancel:{session_id}", EmptyIn(), key,
                     lambda s, m: steps.cancel_session(runtime, s, m, session_id))


@router.post("/sessions/{session_id}/record", response_model=MediationOut,
             summary="A session's attendance, statements, outcome and (internal) notes")
async def record(mediation_id: UUID, session_id: UUID, body: SessionRecordIn, runtime: Runtime, principal: Worker,
                 key: IdempotencyKey = None) -> JSONResponse:
    return await run(runtime, principal, mediation_id, f"record:{session_id}", body, key,
                     lambda s, m: steps.hold(runtime, s, m, session_id, body.attended, body.outcome,
                                             body.statements, body.notes))


@router.post("/agreement", response_model=MediationOut,
             summary="The agreement signed by every party; the 30-day judicial confirmation window starts")
async def agreement(mediation_id: UUID, body: AgreementIn, runtime: Runtime, principal: Worker,
                    key: IdempotencyKey = None) -> JSONResponse:
    def step(s: AsyncSession, m: Mediation) -> Awaitable[Mediation]:
        obligations, signatures = body.parts(runtime.clock.now())
        return opening.sign(runtime, s, m, obligations, signatures)
    return await run(runtime, principal, mediation_id, "agreement", body, key, step)


@router.post("/judicial-confirmation", response_model=MediationOut,
             summary="The parties applied to the court for judicial confirmation (司法确认)")
async def confirmation(mediation_id: UUID, body: ConfirmationIn, runtime: Runtime, principal: Worker,
                       key: IdempotencyKey = None) -> JSONResponse:
    return await run(runtime, principal, mediation_id, "confirmation", body, key,
                     lambda s, m: steps.confirmation_applied(runtime, s, m, body.applied_at))


@router.post("/follow-ups", response_model=MediationOut,
             summary="A follow-up visit (回访): obligations kept resolve it, one broken refers it")
async def follow_up(mediation_id: UUID, body: FollowUpIn, runtime: Runtime, principal: Worker,
                    key: IdempotencyKey = None) -> JSONResponse:
    def step(s: AsyncSession, m: Mediation) -> Awaitable[Mediation]:
        visit = A.FollowUp(at=runtime.clock.now(), by=actor(principal),
                           results={k: A.Kept(v) for k, v in body.results.items()},
                           joint=len(body.departments) > 1, departments=body.departments, note=body.note)
        return steps.follow_up(runtime, s, m, visit, body.referral)
    return await run(runtime, principal, mediation_id, "follow-up", body, key, step)


@router.post("/referral", response_model=MediationOut,
             summary="No agreement: refer to a penalty case (mediation.failed), the court or another body")
async def referral(mediation_id: UUID, body: ReferralIn, runtime: Runtime, principal: Worker,
                   key: IdempotencyKey = None) -> JSONResponse:
    return await run(runtime, principal, mediation_id, "referral", body, key,
                     lambda s, m: steps.refer(runtime, s, m, body.target, body.reason))


@router.post("/withdrawal", response_model=MediationOut, summary="The parties withdrew")
async def withdrawal(mediation_id: UUID, runtime: Runtime, principal: Worker, key: IdempotencyKey = None
                     ) -> JSONResponse:
    return await run(runtime, principal, mediation_id, "withdrawal", EmptyIn(), key,
                     lambda s, m: steps.withdraw(runtime, s, m))
