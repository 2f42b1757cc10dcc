"""Dispatch's HTTP edge: the officer registry and assignments."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from oneteam_contracts import GeoPoint, SlaStage, TenantCode
from oneteam_dispatch import store
from oneteam_dispatch.domain.assignments import Assignment
from oneteam_dispatch.domain.officers import Officer, OfficerStatus
from oneteam_servicekit import NotFound, RuntimeDep

router = APIRouter(prefix="/v1")


class OfficerIn(BaseModel):
    """An officer's registry entry; PUT again to change it (safe to retry)."""

    model_config = ConfigDict(extra="forbid")
    tenant: TenantCode
    name: str = Field(min_length=1, max_length=100)
    team: str | None = Field(None, max_length=100)
    skills: list[Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{1,63}$")]] = []
    status: OfficerStatus = OfficerStatus.AVAILABLE
    position: GeoPoint | None = None


class OfficerOut(BaseModel):
    """An officer as the command centre sees them."""

    id: str
    tenant: str
    name: str
    team: str | None
    status: OfficerStatus
    position: GeoPoint | None
    last_assigned_at: datetime | None


class AssignmentOut(BaseModel):
    """An order and its clock."""

    id: UUID
    tenant: str
    incident_id: UUID
    officer_id: str
    category: str
    priority: str
    location: GeoPoint
    status: str
    reason: str
    deadlines: dict[SlaStage, datetime]
    created_at: datetime


def officer_out(officer: Officer) -> OfficerOut:
    """Response shape of an officer."""
    return OfficerOut(id=officer.id, tenant=officer.tenant, name=officer.name, team=officer.team,
                      status=officer.status, position=officer.position,
                      last_assigned_at=officer.last_assigned_at)


def assignment_out(a: Assignment) -> AssignmentOut:
    """Response shape of an assignment."""
    return AssignmentOut(id=a.id, tenant=a.tenant, incident_id=a.incident_id, officer_id=a.officer_id,
                         category=a.category, priority=a.priority.value, location=a.location,
                         status=a.status.value, reason=a.reason, deadlines=a.deadlines,
                         created_at=a.created_at)


@router.put("/officers/{officer_id}", response_model=OfficerOut, tags=["officers"],
            summary="Register or update an officer")
async def put_officer(
    officer_id: Annotated[str, Field(pattern=r"^[A-Za-z0-9_.-]{1,64}$")], body: OfficerIn, runtime: RuntimeDep,
) -> OfficerOut:
    officer = Officer(id=officer_id, tenant=body.tenant, name=body.name, team=body.team, status=body.status,
                      position=body.position, last_assigned_at=None)
    async with runtime.transaction() as session:
        await store.upsert_officer(session, officer, body.skills)
    return officer_out(officer)


@router.get("/officers", response_model=list[OfficerOut], tags=["officers"], summary="Officers of a tenant")
async def get_officers(runtime: RuntimeDep, tenant: TenantCode | None = None) -> list[OfficerOut]:
    async with runtime.sessions() as session:
        return [officer_out(o) for o in await store.list_officers(session, tenant)]


@router.get("/assignments/{assignment_id}", response_model=AssignmentOut, tags=["assignments"],
            summary="One assignment")
async def get_assignment(assignment_id: UUID, runtime: RuntimeDep) -> AssignmentOut:
    async with runtime.sessions() as session:
        assignment = await store.get_assignment(session, assignment_id)
    if assignment is None:
        raise NotFound(f"assignment {assignment_id} does not exist")
    return assignment_out(assignment)


@router.get("/assignments", response_model=list[AssignmentOut], tags=["assignments"],
            summary="Assignments, newest first, by incident or officer")
async def get_assignments(
    runtime: RuntimeDep,
    incident_id: UUID | None = None,
    officer_id: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[AssignmentOut]:
    async with runtime.sessions() as session:
        found = await store.list_assignments(session, incident_id=incident_id, officer_id=officer_id, limit=limit)
    return [assignment_out(a) for a in found]


@router.get("/queue", tags=["command centre"], summary="Incidents waiting for an officer")
async def get_queue(runtime: RuntimeDep, tenant: TenantCode | None = None) -> list[dict[str, object]]:
    async with runtime.sessions() as session:
        return await store.list_waiting(session, tenant)
