"""What every dispatch route shares: the runtime, the caller, response shapes, retries."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from fastapi import Depends, Request
from pydantic import BaseModel

from oneteam_contracts import GeoPoint, SlaStage
from oneteam_dispatch.domain.assignments import Assignment
from oneteam_dispatch.domain.officers import Officer
from oneteam_dispatch.runtime import DispatchRuntime
from oneteam_servicekit import Forbidden, InvalidRequest
from oneteam_servicekit.auth import Principal, Role, require


async def get_dispatch(request: Request) -> DispatchRuntime:
    """Dependency: dispatch's runtime (async: a plain def would cost a thread hop per request)."""
    runtime: DispatchRuntime = request.app.state.runtime
    return runtime


Dispatch = Annotated[DispatchRuntime, Depends(get_dispatch)]
Officer_ = Annotated[Principal, Depends(require(Role.OFFICER))]
Commander = Annotated[Principal, Depends(require(Role.COMMANDER, Role.ADMIN))]
Admin = Annotated[Principal, Depends(require(Role.ADMIN))]
Staff = Annotated[Principal, Depends(require(Role.OFFICER, Role.COMMANDER, Role.ADMIN))]


def officer_id_of(principal: Principal) -> str:
    """The calling officer's id (from the token's officer_id claim)."""
    if principal.officer_id is None:
        raise Forbidden("the token carries no officer_id")
    return principal.officer_id


def is_commander(principal: Principal) -> bool:
    """Whether the caller sees a whole tenant."""
    return principal.has(Role.COMMANDER, Role.ADMIN)


def tenant_of(principal: Principal, tenant: str | None) -> str:
    """The tenant a tenant-wide read is about: the caller's own, or the one asked for (admins)."""
    chosen = tenant or principal.tenant
    if chosen is None:
        raise InvalidRequest("give the tenant to read", field="tenant")
    principal.check_tenant(chosen)
    return chosen


class MemberOut(BaseModel):
    """One officer on an order."""

    officer_id: str
    department: str
    acknowledged_at: datetime | None
    arrived_at: datetime | None
    arrival_distance_m: float | None
    arrival_note: str | None


class AssignmentOut(BaseModel):
    """An order and its clock."""

    id: UUID
    tenant: str
    incident_id: UUID
    officer_id: str
    officer_ids: list[str]
    members: list[MemberOut]
    category: str
    priority: str
    location: GeoPoint
    status: str
    reason: str
    eta_s: float | None
    runner_up_officer_id: str | None
    runner_up_eta_s: float | None
    sla_profile: str
    deadlines: dict[SlaStage, datetime]
    escalated: list[SlaStage]
    outcome: str | None
    created_at: datetime


class OfficerOut(BaseModel):
    """An officer as the command centre sees them."""

    id: str
    tenant: str
    name: str
    team: str | None
    department: str
    district: str | None
    skills: list[str]
    mode: str
    status: str
    position: GeoPoint | None
    position_at: datetime | None
    position_stale: bool
    active_orders: int
    last_assigned_at: datetime | None


def assignment_out(a: Assignment) -> AssignmentOut:
    """Response shape of an assignment."""
    return AssignmentOut(
        id=a.id, tenant=a.tenant, incident_id=a.incident_id, officer_id=a.officer_id, officer_ids=a.officer_ids,
        members=[MemberOut(**m.__dict__) for m in a.members], category=a.category, priority=a.priority.value,
        location=a.location, status=a.status.value, reason=a.reason, eta_s=a.eta_s,
        runner_up_officer_id=a.runner_up_officer_id, runner_up_eta_s=a.runner_up_eta_s, sla_profile=a.sla_profile,
        deadlines=a.deadlines, escalated=sorted(a.escalated), outcome=a.report.outcome.value if a.report else None,
        created_at=a.created_at,
    )


def officer_out(o: Officer, runtime: DispatchRuntime) -> OfficerOut:
    """Response shape of an officer."""
    stale = o.position_is_stale(runtime.clock.now(), runtime.tenants.policy(o.tenant).stale_after)
    return OfficerOut(id=o.id, tenant=o.tenant, name=o.name, team=o.team, department=o.department,
                      district=o.district, skills=sorted(o.skills), mode=o.mode.value, status=o.status.value,
                      position=o.position, position_at=o.position_at, position_stale=stale,
                      active_orders=o.active_orders, last_assigned_at=o.last_assigned_at)
