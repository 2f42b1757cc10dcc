"""Joint operations (综合查一次): plan one visit with one checklist; members record findings."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated
from uuid import UUID, uuid4

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from oneteam_contracts import CaseRequested, GeoPoint, TenantCode
from oneteam_dispatch.api.common import Commander, Dispatch, Officer_, Staff, is_commander, officer_id_of
from oneteam_dispatch.domain import joint as rules
from oneteam_dispatch.domain.matching import Demand, match
from oneteam_dispatch.domain.reach import reaches
from oneteam_dispatch.domain.responsibility import Need
from oneteam_dispatch.events import emit
from oneteam_dispatch.locks import lock_tenant
from oneteam_dispatch.store import joint as store
from oneteam_dispatch.store import officers as officer_store
from oneteam_servicekit import Conflict, InvalidRequest, NotFound

router = APIRouter(prefix="/v1/joint-operations", tags=["joint operations"])
Code = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{1,63}$")]
# A planned inspection is not an emergency: any officer within an hour's travel will do.
PLANNED_TRAVEL_LIMIT_S = 3600.0
# A subdistrict plans tens of visits a round; the command centre's map needs no more than this.
LIST_LIMIT = 1000


class OperationIn(BaseModel):
    """One target, several departments, one round (e.g. "2026-Q4")."""

    model_config = ConfigDict(extra="forbid")
    tenant: TenantCode
    target_id: str = Field(min_length=1, max_length=100)
    target_name: str = Field(min_length=1, max_length=200)
    category: Code = "shop_inspection"
    location: GeoPoint
    round: str = Field(min_length=1, max_length=64)
    departments: list[Code] = Field(min_length=2, max_length=10)


class FindingIn(BaseModel):
    """One member's finding for one checklist item."""

    model_config = ConfigDict(extra="forbid")
    item: Code
    compliant: bool
    needs_enforcement: bool = False
    note: str | None = Field(None, max_length=2000)


class OperationOut(BaseModel):
    """A joint operation and its checklist."""

    id: UUID
    tenant: str
    target_id: str
    target_name: str
    location: GeoPoint
    round: str
    members: dict[str, str]
    checklist: list[dict[str, str]]
    findings: list[dict[str, object]]
    complete: bool
    created_at: datetime


def _out(op: rules.JointOperation) -> OperationOut:
    return OperationOut(id=op.id, tenant=op.tenant, target_id=op.target_id, target_name=op.target_name,
                        location=op.location, round=op.round, members=op.members,
                        checklist=[i.__dict__ for i in op.checklist], findings=[f.__dict__ for f in op.findings],
                        complete=op.complete, created_at=op.created_at)


@router.post("", response_model=OperationOut, status_code=201,
             summary="Plan a joint inspection: one officer per department, one checklist (commander)")
async def plan(body: OperationIn, runtime: Dispatch, principal: Commander) -> OperationOut:
    principal.check_tenant(body.tenant)
    if len(set(body.departments)) != len(body.departments):
        raise InvalidRequest("a department is listed twice", field="departments")
    checklist = rules.combined_checklist(body.departments, runtime.tenants.checklists(body.tenant))
    now = runtime.clock.now()
    async with runtime.transaction() as session:
        await lock_tenant(session, body.tenant)
        demand = Demand(uuid4(), body.tenant, body.location, tuple(Need(d) for d in body.departments),
                        arrive_within_s=PLANNED_TRAVEL_LIMIT_S)
        policy = runtime.tenants.policy(body.tenant)
        officers = await officer_store.reachable_officers(session, body.tenant, reaches([demand], policy),
                                                           runtime.roster_rows)
        decision = match([demand], officers, now, policy)[0]
        if not decision.assigned:
            raise Conflict(f"cannot staff the operation: {decision.reason()}")
        members = {p.need.department: p.officer_id for p in decision.picks}
        op = rules.plan(body.tenant, body.target_id, body.target_name, body.location, body.round, members,
                        checklist, now)
        if not await store.add_operation(session, op):
            # One visit per round: the target's departments are not sent again.
            raise Conflict(f"target {body.target_id} already has a joint operation in round {body.round}")
    return _out(op)


@router.get("", response_model=list[OperationOut],
            summary="A tenant's joint operations: every open one, and those planned in the last `days` (commander)")
async def list_operations(runtime: Dispatch, principal: Commander, tenant: TenantCode,
                          days: Annotated[int, Query(ge=1, le=90)] = 7,
                          limit: Annotated[int, Query(ge=1, le=LIST_LIMIT)] = LIST_LIMIT) -> list[OperationOut]:
    principal.check_tenant(tenant)
    since = runtime.clock.now() - timedelta(days=days)
    async with runtime.sessions() as session:
        operations = await store.list_operations(session, tenant, since, limit)
    return [_out(op) for op in operations]


@router.get("/{operation_id}", response_model=OperationOut, summary="One operation (commander, or a member)")
async def get_operation(operation_id: UUID, runtime: Dispatch, principal: Staff) -> OperationOut:
    async with runtime.sessions() as session:
        op = await store.get_operation(session, operation_id)
    if op is None or not principal.may_access(op.tenant) or not (
            is_commander(principal) or principal.officer_id in op.members.values()):
        raise NotFound(f"joint operation {operation_id} does not exist")
    return _out(op)


@router.post("/{operation_id}/findings", response_model=OperationOut,
             summary="Record a finding for my department's item (member officer); resending is harmless")
async def record_finding(operation_id: UUID, body: FindingIn, runtime: Dispatch, principal: Officer_) -> OperationOut:
    officer_id = officer_id_of(principal)
    now = runtime.clock.now()
    async with runtime.transaction() as session:
        op = await store.get_operation(session, operation_id, for_update=True)
        if op is None or not principal.may_access(op.tenant):
            raise NotFound(f"joint operation {operation_id} does not exist")
        op, finding, new = rules.record_finding(op, officer_id, body.item, body.compliant, body.needs_enforcement,
                                                body.note, now)
        if new:
            await store.save_findings(session, op)
            if finding.needs_enforcement:
                item = op.item(finding.item_code)
                await emit(session, CaseRequested(
                    request_id=uuid4(), operation_id=op.id, category="joint_inspection_finding",
                    department=item.department, legal_basis=None, location=op.location, officer_id=officer_id,
                    notes=f"{item.text}: {finding.note or 'not compliant'}", requested_at=now,
                ), tenant=op.tenant, subject=op.id)
    return _out(op)
