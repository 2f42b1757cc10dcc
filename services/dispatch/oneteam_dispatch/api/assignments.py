"""Orders: the officer's app (own orders, push channel, acknowledge, arrive, report) and reads."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Header, Query
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from oneteam_contracts import AssignmentOutcome
from oneteam_dispatch import lifecycle
from oneteam_dispatch.api.common import (
    AssignmentOut,
    Dispatch,
    Officer_,
    Staff,
    assignment_out,
    is_commander,
    officer_id_of,
    tenant_of,
)
from oneteam_dispatch.push import heartbeat_stream
from oneteam_dispatch.store import assignments as assignment_store
from oneteam_dispatch.store import officers as officer_store
from oneteam_servicekit import NotFound
from oneteam_servicekit.db import Writes
from oneteam_servicekit.once import once

router = APIRouter(prefix="/v1", tags=["assignments"])
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key")]


class ArriveIn(BaseModel):
    """Arrival; `reason` is needed when the latest position is not near the incident."""

    model_config = ConfigDict(extra="forbid")
    reason: str | None = Field(None, min_length=1, max_length=500)


class ReportIn(BaseModel):
    """How the incident was handled."""

    model_config = ConfigDict(extra="forbid")
    outcome: AssignmentOutcome
    notes: str | None = Field(None, max_length=4000)
    photo_ids: list[Annotated[str, Field(min_length=1, max_length=200)]] = Field([], max_length=50)


@router.get("/assignments/{assignment_id}", response_model=AssignmentOut,
            summary="One assignment (commander/admin of its tenant, or an officer on it)")
async def get_assignment(assignment_id: UUID, runtime: Dispatch, principal: Staff) -> AssignmentOut:
    async with runtime.sessions() as session:
        a = await assignment_store.get_assignment(session, assignment_id)
    visible = a is not None and principal.may_access(a.tenant) and (
        is_commander(principal) or principal.officer_id in a.officer_ids)
    if a is None or not visible:
        raise NotFound(f"assignment {assignment_id} does not exist")
    return assignment_out(a)


@router.get("/assignments", response_model=list[AssignmentOut],
            summary="Assignments, newest first (commander/admin: the tenant's; officer: their own)")
async def get_assignments(
    runtime: Dispatch, principal: Staff, incident_id: UUID | None = None, officer_id: str | None = None,
    tenant: str | None = None, open_only: bool = False, limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[AssignmentOut]:
    if not is_commander(principal):
        officer_id = officer_id_of(principal)  # officers see only their own orders
    scope = tenant_of(principal, tenant) if principal.tenant or tenant else None
    async with runtime.sessions() as session:
        found = await assignment_store.list_assignments(session, tenant=scope, incident_id=incident_id,
                                                        officer_id=officer_id, open_only=open_only, limit=limit)
    return [assignment_out(a) for a in found]


@router.get("/me/assignments", response_model=list[AssignmentOut], summary="My current and pending orders (officer)")
async def my_assignments(runtime: Dispatch, principal: Officer_) -> list[AssignmentOut]:
    async with runtime.sessions() as session:
        found = await assignment_store.list_assignments(session, officer_id=officer_id_of(principal),
                                                        open_only=True)
    return [assignment_out(a) for a in reversed(found)]


@router.get("/me/stream", summary="Push channel (Server-Sent Events): my orders the moment they change (officer)",
            response_class=StreamingResponse)
async def my_stream(runtime: Dispatch, principal: Officer_) -> StreamingResponse:
    officer_id = officer_id_of(principal)

    async def events() -> AsyncIterator[str]:
        with runtime.hub.subscribe(officer_id) as queue:
            # Whatever is open now comes first, so a terminal that reconnects misses nothing.
            async with runtime.sessions() as session:
                current = await assignment_store.list_assignments(session, officer_id=officer_id, open_only=True)
            yield _sse("hello", {"officer_id": officer_id, "open": [str(a.id) for a in current]})
            async for message in heartbeat_stream(queue, every=15.0):
                if message is None:
                    yield ": keep-alive\n\n"
                    continue
                async with runtime.sessions() as session:
                    a = await assignment_store.get_assignment(session, UUID(message["assignment_id"]))
                if a is None or not principal.may_access(a.tenant):
                    continue
                body = jsonable_encoder(assignment_out(a))
                yield _sse("order" if message["kind"] == "created" else message["kind"], body)

    return StreamingResponse(events(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


def _sse(event: str, data: object) -> str:
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


@router.post("/assignments/{assignment_id}/acknowledge", response_model=AssignmentOut,
             summary="Acknowledge my order (officer); repeating it is harmless")
async def acknowledge(assignment_id: UUID, runtime: Dispatch, principal: Officer_,
                      idempotency_key: IdempotencyKey = None) -> JSONResponse:
    officer_id = officer_id_of(principal)
    writes = Writes()
    async with runtime.transaction() as session:
        async def act() -> AssignmentOut:
            a = await lifecycle.load_for_update(session, assignment_id, principal.tenant)
            return assignment_out(lifecycle.acknowledge(a, officer_id, runtime.clock.now(), writes))

        return await once(session, f"acknowledge:{officer_id}", idempotency_key, {"id": str(assignment_id)}, act,
                          principal=principal, writes=writes)


@router.post("/assignments/{assignment_id}/arrive", response_model=AssignmentOut,
             summary="Arrive on site (officer): near the incident by my latest position, or with a reason")
async def arrive(assignment_id: UUID, runtime: Dispatch, principal: Officer_, body: ArriveIn | None = None,
                 idempotency_key: IdempotencyKey = None) -> JSONResponse:
    officer_id = officer_id_of(principal)
    note = body.reason if body else None
    writes = Writes()
    async with runtime.transaction() as session:
        async def act() -> AssignmentOut:
            a = await lifecycle.load_for_update(session, assignment_id, principal.tenant)
            officer = await officer_store.get_officer(session, officer_id)
            if officer is None:
                raise NotFound(f"officer {officer_id} does not exist")
            return assignment_out(lifecycle.arrive(a, officer, note, runtime.dispatch_settings.arrive_radius_m,
                                                   runtime.clock.now(), writes))

        return await once(session, f"arrive:{officer_id}", idempotency_key,
                          {"id": str(assignment_id), "reason": note}, act, principal=principal, writes=writes)


@router.post("/assignments/{assignment_id}/report", response_model=AssignmentOut,
             summary="Report the outcome (officer on the order); the same report again is harmless")
async def report(assignment_id: UUID, body: ReportIn, runtime: Dispatch, principal: Officer_,
                 idempotency_key: IdempotencyKey = None) -> JSONResponse:
    officer_id = officer_id_of(principal)
    writes = Writes()
    async with runtime.transaction() as session:
        async def act() -> AssignmentOut:
            a = await lifecycle.load_for_update(session, assignment_id, principal.tenant)
            return assignment_out(await lifecycle.report(runtime, session, a, officer_id, body.outcome, body.notes,
                                                         body.photo_ids, runtime.clock.now(), writes))

        return await once(session, f"report:{officer_id}", idempotency_key,
                          {"id": str(assignment_id), **body.model_dump(mode="json")}, act, principal=principal,
                          writes=writes)
