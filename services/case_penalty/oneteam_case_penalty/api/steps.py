"""The steps of the general procedure, one route each: file, evidence, facts, extension, legal
review, prior notice, hearing, decision, service, payment by hand, transfer, assign, close."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from uuid import UUID

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from oneteam_case_penalty import recording, steps
from oneteam_case_penalty.api.common import (
    Cases,
    Head,
    IdempotencyKey,
    Reviewer,
    Worker,
    actor,
    reviewable_by,
    writable_by,
)
from oneteam_case_penalty.api.schemas import (
    AssignIn,
    CaseOut,
    DecisionIn,
    EmptyIn,
    EvidenceIn,
    ExtensionIn,
    FactsIn,
    FilingIn,
    HearingIn,
    PaymentIn,
    ReviewIn,
    TransferIn,
    case_out,
    now_or,
)
from oneteam_case_penalty.domain import cases as C
from oneteam_case_penalty.domain.cases import Case
from oneteam_case_penalty.runtime import CaseRuntime
from oneteam_servicekit import InvalidRequest
from oneteam_servicekit.auth import Principal
from oneteam_servicekit.once import once

router = APIRouter(prefix="/v1/cases/{case_id}", tags=["case steps"])
Step = Callable[[AsyncSession, Case], Awaitable[Case]]


async def run(runtime: CaseRuntime, principal: Principal, case_id: UUID, name: str, body: BaseModel,
              key: str | None, step: Step, *, who: Callable[[Principal], Callable[[Case], bool]] = writable_by
              ) -> JSONResponse:
    """Load the case locked, apply `step`, answer with the case and its recommendation — once per key."""
    async with runtime.transaction() as session:
        async def act() -> CaseOut:
            case = await steps.load(session, case_id, who(principal))
            after = await step(session, case)
            return case_out(after, await recording.recommendation(runtime, session, after, runtime.clock.now()))
        return await once(session, f"case:{case_id}:{name}", key, body.model_dump(mode="json"), act,
                          principal=principal)


@router.post("/filing", response_model=CaseOut, summary="Filing decision: 立案 or not, with the reason")
async def filing(case_id: UUID, body: FilingIn, runtime: Cases, principal: Worker,
                 key: IdempotencyKey = None) -> JSONResponse:
    return await run(runtime, principal, case_id, "filing", body, key,
                     lambda s, c: steps.file(runtime, s, c, body.filed, body.reason, actor(principal)))


@router.post("/evidence", response_model=CaseOut, summary="Add evidence: a photo id, inspection record, statement")
async def evidence(case_id: UUID, body: EvidenceIn, runtime: Cases, principal: Worker,
                   key: IdempotencyKey = None) -> JSONResponse:
    def step(s: AsyncSession, c: Case) -> Awaitable[Case]:
        item = C.Evidence(kind=body.kind, ref=body.ref, added_by=actor(principal), added_at=runtime.clock.now())
        return steps.change(runtime, s, c, C.add_evidence(c, item), "evidence", actor(principal), body.model_dump())
    return await run(runtime, principal, case_id, "evidence", body, key, step)


@router.post("/facts", response_model=CaseOut, summary="Facts found and amounts; they drive the recommendation")
async def facts(case_id: UUID, body: FactsIn, runtime: Cases, principal: Worker,
                key: IdempotencyKey = None) -> JSONResponse:
    def step(s: AsyncSession, c: Case) -> Awaitable[Case]:
        if body.item_codes:
            recording.pick_items(runtime, c.tenant, c.category, body.item_codes)
        recording.check_entered(runtime, c.tenant, body.facts)
        after = C.establish(c, facts=body.facts, amounts=body.amounts, item_codes=body.item_codes)
        return steps.change(runtime, s, c, after, "facts", actor(principal), body.model_dump())
    return await run(runtime, principal, case_id, "facts", body, key, step)


@router.post("/extension", response_model=CaseOut, summary="Extend the time to decide (Art. 60), department head")
async def extension(case_id: UUID, body: ExtensionIn, runtime: Cases, principal: Head,
                    key: IdempotencyKey = None) -> JSONResponse:
    def step(s: AsyncSession, c: Case) -> Awaitable[Case]:
        after = C.extend(c, days=body.days, reason=body.reason, approved_by=actor(principal),
                         now=runtime.clock.now())
        return steps.change(runtime, s, c, after, "extended", actor(principal), body.model_dump())
    return await run(runtime, principal, case_id, "extension", body, key, step)


@router.post("/review", response_model=CaseOut, summary="Legal review (法制审核, Art. 58), legal reviewer")
async def review(case_id: UUID, body: ReviewIn, runtime: Cases, principal: Reviewer,
                 key: IdempotencyKey = None) -> JSONResponse:
    def step(s: AsyncSession, c: Case) -> Awaitable[Case]:
        after = C.review(c, reviewer=actor(principal), approved=body.approved, opinion=body.opinion,
                         now=runtime.clock.now())
        return steps.change(runtime, s, c, after, "reviewed", actor(principal), body.model_dump())
    return await run(runtime, principal, case_id, "review", body, key, step, who=reviewable_by)


@router.post("/notice", response_model=CaseOut, summary="Prior notice given (告知, Art. 44-45)")
async def notice(case_id: UUID, body: EmptyIn, runtime: Cases, principal: Worker,
                 key: IdempotencyKey = None) -> JSONResponse:
    async def step(s: AsyncSession, c: Case) -> Case:
        rec = await recording.recommendation(runtime, s, c, runtime.clock.now())
        if rec is None:
            raise InvalidRequest("name the breached catalogue item before the notice", field="item_codes")
        after = C.notify(c, hearing_right=rec.hearing_right, now=runtime.clock.now(),
                         calendar=runtime.tenant(c.tenant).calendar)
        return await steps.change(runtime, s, c, after, "notified", actor(principal),
                                  {"hearing_until": after.hearing_until.isoformat() if after.hearing_until else None})
    return await run(runtime, principal, case_id, "notice", body, key, step)


@router.post("/hearing", response_model=CaseOut, summary="The party asked for a hearing, or it was held")
async def hearing(case_id: UUID, body: HearingIn, runtime: Cases, principal: Worker,
                  key: IdempotencyKey = None) -> JSONResponse:
    def step(s: AsyncSession, c: Case) -> Awaitable[Case]:
        after = C.hearing(c, held=body.held, now=runtime.clock.now())
        return steps.change(runtime, s, c, after, "hearing_held" if body.held else "hearing_requested",
                            actor(principal))
    return await run(runtime, principal, case_id, "hearing", body, key, step)


@router.post("/decision", response_model=CaseOut, summary="Decide (department head); shows the recommendation")
async def decision(case_id: UUID, body: DecisionIn, runtime: Cases, principal: Head,
                   key: IdempotencyKey = None) -> JSONResponse:
    return await run(runtime, principal, case_id, "decision", body, key,
                     lambda s, c: steps.decide(runtime, s, c, body.decision(), actor(principal)))


@router.post("/service", response_model=CaseOut, summary="The decision was served (送达, Art. 61)")
async def service(case_id: UUID, body: EmptyIn, runtime: Cases, principal: Worker,
                  key: IdempotencyKey = None) -> JSONResponse:
    def step(s: AsyncSession, c: Case) -> Awaitable[Case]:
        after = C.serve(c, now=runtime.clock.now(), calendar=runtime.tenant(c.tenant).calendar)
        return steps.change(runtime, s, c, after, "served", actor(principal))
    return await run(runtime, principal, case_id, "service", body, key, step)


@router.post("/payment", response_model=CaseOut, summary="Payment recorded by hand, with the receipt")
async def payment(case_id: UUID, body: PaymentIn, runtime: Cases, principal: Worker,
                  key: IdempotencyKey = None) -> JSONResponse:
    return await run(runtime, principal, case_id, "payment", body, key, lambda s, c: steps.pay(
        runtime, s, c, body.amount_fen, body.receipt, now_or(body.paid_at, runtime.clock.now()), "hand",
        actor(principal)))


@router.post("/transfer", response_model=CaseOut, summary="Transfer (移送) to a department or the police")
async def transfer(case_id: UUID, body: TransferIn, runtime: Cases, principal: Worker,
                   key: IdempotencyKey = None) -> JSONResponse:
    return await run(runtime, principal, case_id, "transfer", body, key, lambda s, c: steps.transfer(
        runtime, s, c, body.target, body.department, body.receipt, body.reason, actor(principal)))


@router.post("/officer", response_model=CaseOut, summary="Assign the case to an officer (department head)")
async def assign(case_id: UUID, body: AssignIn, runtime: Cases, principal: Head,
                 key: IdempotencyKey = None) -> JSONResponse:
    def step(s: AsyncSession, c: Case) -> Awaitable[Case]:
        after = C.assign(c, officer_id=body.officer_id)
        return steps.change(runtime, s, c, after, "assigned", actor(principal), body.model_dump())
    return await run(runtime, principal, case_id, "officer", body, key, step)


@router.post("/close", response_model=CaseOut, summary="Close the case (结案)")
async def close(case_id: UUID, body: EmptyIn, runtime: Cases, principal: Worker,
                key: IdempotencyKey = None) -> JSONResponse:
    return await run(runtime, principal, case_id, "close", body, key,
                     lambda s, c: steps.close(runtime, s, c, actor(principal)))
