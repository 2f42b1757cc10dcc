"""The command centre's queues: reports without a category (triage) and doubtful camera
detections (review)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field, model_validator

from oneteam_contracts import CategoryCode, GeoPoint, ReportSource, TenantCode
from oneteam_intake.api.deps import Centre, IntakeDep, tenant_guard
from oneteam_intake.api.schemas import ReceiptOut, receipt_out
from oneteam_intake.domain.reports import ReportState
from oneteam_intake.store import reports as report_store
from oneteam_servicekit import RuntimeDep

router = APIRouter(prefix="/v1/triage", tags=["triage"])


class SuggestionOut(BaseModel):
    """A category suggested from keywords in the description."""

    category: str
    name_zh: str
    name_en: str
    matched: list[str]


class WaitingOut(BaseModel):
    """A report waiting for a person's decision."""

    report_id: UUID
    queue: ReportState
    tenant: str
    source: ReportSource
    category: str | None
    description: str
    location: GeoPoint
    district: str | None
    grid: str | None
    received_at: datetime
    detail: dict[str, Any] | None
    suggestions: list[SuggestionOut]


class DecisionIn(BaseModel):
    """Either a category (the report goes on as an incident) or dismiss: true."""

    model_config = ConfigDict(extra="forbid")
    category: CategoryCode | None = None
    dismiss: bool = False
    note: str | None = Field(None, max_length=500)

    @model_validator(mode="after")
    def _one_choice(self) -> DecisionIn:
        if (self.category is None) == (not self.dismiss):
            raise ValueError("give either a category or dismiss: true")
        return self


@router.get("", response_model=list[WaitingOut],
            summary="Reports waiting in triage (no category) or review (camera), oldest first (commander, admin)")
async def waiting(runtime: RuntimeDep, intake: IntakeDep, caller: Centre, tenant: TenantCode | None = None,
                  queue: ReportState | None = None,
                  limit: Annotated[int, Query(ge=1, le=500)] = 100) -> list[WaitingOut]:
    if caller.tenant is not None:  # a platform-wide admin (no tenant) may list every tenant's at once
        tenant = tenant or caller.tenant
        caller.check_tenant(tenant)
    queues = [queue] if queue in (ReportState.TRIAGE, ReportState.REVIEW) else [ReportState.TRIAGE, ReportState.REVIEW]
    async with runtime.sessions() as session:
        found = await report_store.waiting(session, tenant, queues, limit)
    return [WaitingOut(
        report_id=r.id, queue=r.state, tenant=r.tenant, source=r.source, category=r.category,
        description=r.description, location=r.location, district=r.district, grid=r.grid,
        received_at=r.received_at, detail=r.detail,
        suggestions=[SuggestionOut(category=s.category, name_zh=s.name_zh, name_en=s.name_en, matched=list(s.matched))
                     for s in ([] if r.category else intake.catalog.suggest(r.description))],
    ) for r in found]


@router.post("/{report_id}", response_model=ReceiptOut,
             summary="Decide a waiting report: give its category (→ incident.reported or incident.merged) or "
                     "dismiss it (commander, admin); repeating the same decision is harmless")
async def decide(report_id: UUID, body: DecisionIn, runtime: RuntimeDep, intake: IntakeDep,
                 caller: Centre) -> ReceiptOut:
    async with runtime.transaction() as session:
        receipt = await intake.decide(session, report_id, category=None if body.dismiss else body.category,
                                      by=caller.subject, tenant_check=tenant_guard(caller))
    return receipt_out(receipt)
