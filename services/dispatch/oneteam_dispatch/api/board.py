"""The command centre: the live board, the queue, manual assignment and override."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from oneteam_contracts import ReassignReason, SlaStage, TenantCode
from oneteam_dispatch import lifecycle
from oneteam_dispatch.api.common import (
    AssignmentOut,
    Commander,
    Dispatch,
    OfficerOut,
    assignment_out,
    officer_out,
    tenant_of,
)
from oneteam_dispatch.store import assignments as assignment_store
from oneteam_dispatch.store import incidents as incident_store
from oneteam_dispatch.store import officers as officer_store
from oneteam_servicekit import Conflict

router = APIRouter(prefix="/v1", tags=["command centre"])
OfficerIds = Annotated[list[Annotated[str, Field(min_length=1, max_length=64)]], Field(max_length=10)]


class OverrideIn(BaseModel):
    """Who takes the order instead, and why (the reason goes on the record and the event)."""

    model_config = ConfigDict(extra="forbid")
    officer_ids: OfficerIds = Field(default=[], description="Empty: the next best officers, chosen by matching")
    reason: str = Field(min_length=1, max_length=1000)
    force: bool = Field(False, description="Send the named officers even if they lack the department or skills "
                                          "the category needs; the reason then says what was overridden")


class ManualAssignIn(BaseModel):
    """Officers for an incident on the queue, and why."""

    model_config = ConfigDict(extra="forbid")
    officer_ids: OfficerIds = Field(min_length=1)
    reason: str = Field(min_length=1, max_length=1000)
    force: bool = Field(False, description="Send the named officers even if they lack the department or skills "
                                          "the category needs; the reason then says what was overridden")


class BoardRow(BaseModel):
    """An open incident and how its order is doing."""

    incident_id: UUID
    category: str
    priority: str
    state: str
    reason: str | None
    assignment: AssignmentOut | None
    next_stage: SlaStage | None
    seconds_left: float | None


class Board(BaseModel):
    """The command centre's live picture of a tenant."""

    tenant: str
    at: datetime
    alerts: list[dict[str, Any]]
    incidents: list[BoardRow]
    officers: list[OfficerOut]


@router.get("/board", response_model=Board,
            summary="Live board: open incidents, stages, time left, officers (commander)")
async def board(runtime: Dispatch, principal: Commander, tenant: TenantCode | None = None) -> Board:
    chosen = tenant_of(principal, tenant)
    now = runtime.clock.now()
    async with runtime.sessions() as session:
        open_incidents = await incident_store.open_incidents(session, chosen)
        orders = {a.incident_id: a for a in await assignment_store.list_assignments(
            session, tenant=chosen, open_only=True, limit=1000)}
        queue = await incident_store.list_queue(session, chosen)
        officers = await officer_store.list_officers(session, chosen)
    rows = []
    for incident in open_incidents:
        a = orders.get(incident.id)
        stage = next((s for s in SlaStage if not a.stage_done(s)), None) if a else None
        rows.append(BoardRow(
            incident_id=incident.id, category=incident.category, priority=incident.priority.value,
            state=incident.state, reason=incident.reason, assignment=assignment_out(a) if a else None,
            next_stage=stage, seconds_left=(a.deadlines[stage] - now).total_seconds() if a and stage else None,
        ))
    alerts = [{"kind": "queued", **row} for row in queue] + [
        {"kind": "escalated", "assignment_id": a.id, "incident_id": a.incident_id, "stages": sorted(a.escalated)}
        for a in orders.values() if a.escalated]
    return Board(tenant=chosen, at=now, alerts=alerts, incidents=rows,
                 officers=[officer_out(o, runtime) for o in officers])


@router.get("/queue", summary="Incidents waiting for the command centre (commander)")
async def get_queue(runtime: Dispatch, principal: Commander, tenant: TenantCode | None = None) -> list[dict[str, Any]]:
    async with runtime.sessions() as session:
        return await incident_store.list_queue(session, tenant_of(principal, tenant))


@router.post("/assignments/{assignment_id}/reassign", response_model=AssignmentOut,
             summary="Override or reassign an order, with a reason (commander)")
async def reassign(assignment_id: UUID, body: OverrideIn, runtime: Dispatch, principal: Commander) -> AssignmentOut:
    async with runtime.transaction() as session:
        a = await lifecycle.load_for_update(session, assignment_id, principal.tenant)
        if not a.is_open:
            raise Conflict(f"assignment {a.id} is {a.status.value}; nothing to reassign", state=a.status.value)
        now = runtime.clock.now()
        if body.officer_ids:
            after = await lifecycle.reassign_manually(runtime, session, a, list(body.officer_ids), body.reason, now,
                                                      force=body.force)
        else:
            after = await lifecycle.reassign_automatically(runtime, session, a, set(a.officer_ids),
                                                           f"reassigned by the command centre: {body.reason}", now,
                                                           ReassignReason.REMATCHED)
    return assignment_out(after)


@router.post("/incidents/{incident_id}/assign", response_model=AssignmentOut, status_code=201,
             summary="Assign officers to a queued incident by hand, with a reason (commander)")
async def assign_incident(incident_id: UUID, body: ManualAssignIn, runtime: Dispatch,
                          principal: Commander) -> AssignmentOut:
    async with runtime.transaction() as session:
        a = await lifecycle.assign_manually(runtime, session, incident_id, principal.tenant, list(body.officer_ids),
                                            body.reason, runtime.clock.now(), force=body.force)
    return assignment_out(a)
