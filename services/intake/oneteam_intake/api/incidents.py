"""Staff views of incidents, their reports, and closing them."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from oneteam_contracts import IncidentResolution, ReportSource, TenantCode
from oneteam_intake.api.deps import Centre, ContactOut, IntakeDep, Staff, contact_out, tenant_guard
from oneteam_intake.api.schemas import IncidentOut, incident_out
from oneteam_intake.domain.reports import IncidentStatus
from oneteam_intake.store import incidents as incident_store
from oneteam_intake.store import reports as report_store
from oneteam_servicekit import NotFound, RuntimeDep

router = APIRouter(prefix="/v1/incidents", tags=["incidents"])


class IncidentReportOut(BaseModel):
    """One report on an incident; the reporter's contact masked unless commander/admin."""

    report_id: UUID
    source: ReportSource
    description: str
    received_at: datetime
    photo_ids: list[str]
    contact: ContactOut | None


class CloseIn(BaseModel):
    """How the incident ended."""

    model_config = ConfigDict(extra="forbid")
    resolution: IncidentResolution
    note: str | None = Field(None, max_length=2000)


@router.get("", response_model=list[IncidentOut],
            summary="Incidents, latest report first (grid_worker, officer, commander, admin)")
async def list_incidents(
    runtime: RuntimeDep, caller: Staff, tenant: TenantCode | None = None,
    status: IncidentStatus | None = None, category: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[IncidentOut]:
    if caller.tenant is not None:  # a platform-wide admin (no tenant) may list every tenant's at once
        tenant = tenant or caller.tenant
        caller.check_tenant(tenant)
    async with runtime.sessions() as session:
        found = await incident_store.listing(session, tenant, status.value if status else None, category, limit)
    return [incident_out(incident) for incident in found]


@router.get("/{incident_id}", response_model=IncidentOut,
            summary="One incident (grid_worker, officer, commander, admin)")
async def read_incident(incident_id: UUID, runtime: RuntimeDep, caller: Staff) -> IncidentOut:
    async with runtime.sessions() as session:
        incident = await incident_store.get(session, incident_id)
    if incident is None:
        raise NotFound(f"incident {incident_id} does not exist")
    caller.check_tenant(incident.tenant)
    return incident_out(incident)


@router.get("/{incident_id}/reports", response_model=list[IncidentReportOut],
            summary="The reports merged into an incident (staff; contacts unmasked for commander/admin only)")
async def incident_reports(incident_id: UUID, runtime: RuntimeDep, caller: Staff) -> list[IncidentReportOut]:
    async with runtime.sessions() as session:
        incident = await incident_store.get(session, incident_id)
        if incident is None:
            raise NotFound(f"incident {incident_id} does not exist")
        caller.check_tenant(incident.tenant)
        found = await report_store.of_incident(session, incident_id)
    return [IncidentReportOut(report_id=record.id, source=record.source, description=record.description,
                              received_at=record.received_at, photo_ids=record.photo_ids,
                              contact=contact_out(contact, caller))
            for record, contact in found]


@router.post("/{incident_id}/close", response_model=IncidentOut,
             summary="Close an incident, emitting incident.closed (commander, admin); repeating it is harmless")
async def close_incident(incident_id: UUID, body: CloseIn, runtime: RuntimeDep, intake: IntakeDep,
                         caller: Centre) -> IncidentOut:
    async with runtime.transaction() as session:
        incident = await intake.close(session, incident_id, body.resolution, body.note, tenant_guard(caller))
    return incident_out(incident)
