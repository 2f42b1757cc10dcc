"""Intake's HTTP edge: parse, call the domain, store, answer."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Header
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from oneteam_contracts import CategoryCode, GeoPoint, ReportSource, TenantCode, new_event
from oneteam_eventbus import add_event, correlation_id
from oneteam_intake import store
from oneteam_intake.domain.reports import NewReport, accept
from oneteam_servicekit import NotFound, RuntimeDep
from oneteam_servicekit import idempotency as idem
from oneteam_servicekit.clock import SystemClock

router = APIRouter(prefix="/v1", tags=["reports"])
clock = SystemClock()


class Contact(BaseModel):
    """Who to call back; stored apart from the incident, never published."""

    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(None, max_length=100)
    phone: str | None = Field(None, pattern=r"^\+?[0-9][0-9 -]{4,30}$")


class ReportIn(BaseModel):
    """A report from a mobile app."""

    model_config = ConfigDict(extra="forbid")
    tenant: TenantCode
    category: CategoryCode
    description: str = Field(min_length=1, max_length=2000)
    location: GeoPoint
    source: ReportSource = ReportSource.CITIZEN_APP
    client_report_id: str | None = Field(None, max_length=200)
    contact: Contact | None = None


class ReportOut(BaseModel):
    """What the reporter gets back."""

    report_id: UUID
    incident_id: UUID
    status: str
    received_at: datetime


class IncidentOut(BaseModel):
    """An incident as staff and reporters see it (no personal data)."""

    id: UUID
    tenant: str
    category: str
    priority: str
    location: GeoPoint
    description: str
    status: str
    report_count: int
    opened_at: datetime


@router.post("/reports", status_code=201, response_model=ReportOut,
             summary="Submit a report; safe to retry with the same Idempotency-Key")
async def submit_report(
    body: ReportIn,
    runtime: RuntimeDep,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key")] = None,
) -> JSONResponse:
    key = idempotency_key or body.client_report_id
    async with runtime.transaction() as session:
        if key is not None:
            earlier = await idem.claim(session, "reports", key, idem.request_hash(body.model_dump(mode="json")))
            if earlier is not None:
                return JSONResponse(earlier.body, status_code=earlier.status)
        accepted = accept(
            NewReport(tenant=body.tenant, category=body.category, description=body.description,
                      location=body.location, source=body.source, client_report_id=body.client_report_id),
            now=clock.now(),
        )
        await store.add_report(session, accepted, body.contact.model_dump() if body.contact else None)
        await add_event(session, new_event(
            accepted.reported_event(), source="intake", tenant=body.tenant,
            subject=str(accepted.incident.id), correlation_id=_correlation(),
        ))
        answer: dict[str, Any] = jsonable_encoder(ReportOut(
            report_id=accepted.id, incident_id=accepted.incident.id,
            status=accepted.incident.status.value, received_at=accepted.received_at,
        ))
        if key is not None:
            await idem.remember(session, "reports", key, 201, answer)
    return JSONResponse(answer, status_code=201)


@router.get("/reports/{report_id}", response_model=ReportOut, summary="A report and its incident's status")
async def read_report(report_id: UUID, runtime: RuntimeDep) -> ReportOut:
    async with runtime.sessions() as session:
        found = await store.get_report(session, report_id)
    if found is None:
        raise NotFound(f"report {report_id} does not exist")
    row, incident = found
    return ReportOut(report_id=row["id"], incident_id=incident.id, status=incident.status.value,
                     received_at=row["received_at"])


@router.get("/incidents/{incident_id}", response_model=IncidentOut, summary="One incident")
async def read_incident(incident_id: UUID, runtime: RuntimeDep) -> IncidentOut:
    async with runtime.sessions() as session:
        incident = await store.get_incident(session, incident_id)
    if incident is None:
        raise NotFound(f"incident {incident_id} does not exist")
    return IncidentOut(
        id=incident.id, tenant=incident.tenant, category=incident.category,
        priority=incident.priority.value, location=incident.location, description=incident.description,
        status=incident.status.value, report_count=incident.report_count, opened_at=incident.opened_at,
    )


def _correlation() -> UUID | None:
    value = correlation_id.get()
    try:
        return UUID(value) if value else None
    except ValueError:
        return None
