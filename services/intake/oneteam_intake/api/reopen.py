"""Reopening a closed incident: its reporter (status token or login) or the command centre."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Header
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.ext.asyncio import AsyncSession

from oneteam_contracts import ReopenReason
from oneteam_intake.api.deps import Caller, Centre, IntakeDep, Staff, tenant_guard
from oneteam_intake.api.reports import TokenHeader, TokenQuery, reporters_report
from oneteam_intake.domain.reopen import Reopening
from oneteam_intake.reopening import reopen, window_of
from oneteam_intake.service import Intake
from oneteam_intake.store import incidents as incident_store
from oneteam_servicekit import Conflict, NotFound, RuntimeDep
from oneteam_servicekit import idempotency as idem

router = APIRouter(prefix="/v1", tags=["reopen"])
KeyHeader = Annotated[str | None, Header(alias="Idempotency-Key", description="makes a retry safe")]


class ReporterReopenIn(BaseModel):
    """Why the reporter wants the incident reopened."""

    model_config = ConfigDict(extra="forbid")
    reason: Literal["still_present", "dissatisfied"]
    comment: str | None = Field(None, max_length=1000, description="kept in intake, never published")


class CommanderReopenIn(BaseModel):
    """The command centre reopens an incident (reason `commander`)."""

    model_config = ConfigDict(extra="forbid")
    comment: str | None = Field(None, max_length=1000, description="kept in intake, never published")


class ReopenOut(BaseModel):
    """The incident, open again."""

    incident_id: UUID
    status: str
    reason: ReopenReason
    reopen_count: int
    reopened_at: datetime
    window_days: float = Field(description="the tenant's reopen window after closure")


@router.post("/reports/{report_id}/reopen", response_model=ReopenOut, status_code=201, summary=(
    "The reporter reopens their closed incident (X-Report-Token or their login) within the tenant's window "
    "(409 outside it, naming the window). Idempotency-Key makes a retry safe."))
async def reporter_reopens(report_id: UUID, body: ReporterReopenIn, runtime: RuntimeDep, intake: IntakeDep,
                           caller: Caller, token: TokenHeader = None, token_query: TokenQuery = None,
                           idempotency_key: KeyHeader = None) -> JSONResponse:
    async with runtime.transaction() as session:
        record = await reporters_report(session, intake, report_id, caller, token or token_query,
                                        staff_may_read=False)
        if record.incident_id is None:
            raise Conflict(f"report {report_id} is {record.state.value}; there is no incident to reopen")
        incident_id = record.incident_id
        return await _once(session, idempotency_key, f"reopen:{report_id}", body.model_dump(mode="json"),
                           idem.caller_of(caller), lambda: reopen(
                               intake, session, incident_id, ReopenReason(body.reason), by=f"reporter:{report_id}",
                               by_reporter=True, comment=body.comment), intake)


@router.post("/incidents/{incident_id}/reopen", response_model=ReopenOut, status_code=201, summary=(
    "The command centre reopens a closed incident (commander, admin) within the tenant's window "
    "(409 outside it). Idempotency-Key makes a retry safe."))
async def commander_reopens(incident_id: UUID, body: CommanderReopenIn, runtime: RuntimeDep, intake: IntakeDep,
                            caller: Centre, idempotency_key: KeyHeader = None) -> JSONResponse:
    async with runtime.transaction() as session:
        return await _once(session, idempotency_key, f"reopen:{incident_id}", body.model_dump(mode="json"),
                           idem.caller_of(caller), lambda: reopen(
                               intake, session, incident_id, ReopenReason.COMMANDER, by=caller.subject,
                               by_reporter=False, comment=body.comment, tenant_check=tenant_guard(caller)), intake)


class ReopeningOut(BaseModel):
    """One reopening in an incident's history, with the closure it undid."""

    number: int
    reason: ReopenReason
    by: str
    comment: str | None
    closed_at: datetime | None
    resolution: str | None
    reopened_at: datetime


@router.get("/incidents/{incident_id}/reopens", response_model=list[ReopeningOut],
            summary="An incident's reopenings, first first (grid_worker, officer, commander, admin)")
async def reopen_history(incident_id: UUID, runtime: RuntimeDep, caller: Staff) -> list[ReopeningOut]:
    async with runtime.sessions() as session:
        incident = await incident_store.get(session, incident_id)
        if incident is None:
            raise NotFound(f"incident {incident_id} does not exist")
        caller.check_tenant(incident.tenant)
        return [ReopeningOut.model_validate(row) for row in await incident_store.reopens_of(session, incident_id)]


async def _once(session: AsyncSession, key: str | None, scope: str, body: dict[str, Any], who: str,
                act: Callable[[], Awaitable[Reopening]], intake: Intake) -> JSONResponse:
    """Do `act` once per Idempotency-Key: a retry gets the first answer, not a 409."""
    fingerprint = idem.request_hash(body)
    if key is not None:
        earlier = await idem.claim(session, scope, key, fingerprint, caller=who)
        if earlier is not None:
            return JSONResponse(earlier.body, status_code=earlier.status)
    done: Reopening = await act()
    window = window_of(intake, done.incident.tenant)
    answer = jsonable_encoder(ReopenOut(
        incident_id=done.incident.id, status=done.incident.status.value, reason=done.reason,
        reopen_count=done.reopen_count, reopened_at=done.at, window_days=window.total_seconds() / 86400))
    if key is not None:
        await idem.remember(session, scope, key, 201, answer, caller=who)
    return JSONResponse(answer, status_code=201)
