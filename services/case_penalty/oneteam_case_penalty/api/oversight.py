"""Oversight (检察监督, 联审): the trail and its verification, the board of missed deadlines, and
the export of every no-penalty and reduced decision in a period, as CSV or XLSX."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Any
from uuid import UUID

from fastapi import APIRouter
from fastapi.responses import Response
from openpyxl import Workbook

from oneteam_case_penalty import steps
from oneteam_case_penalty.api.common import Auditor, Cases, Reader, tenant_of, visible_to
from oneteam_case_penalty.domain.cases import Case
from oneteam_case_penalty.domain.decisions import NO_PENALTY
from oneteam_case_penalty.domain.trail import verify
from oneteam_case_penalty.store import cases as case_store
from oneteam_case_penalty.store import trail as trail_store
from oneteam_contracts import DiscretionDecision, UtcDatetime
from oneteam_servicekit import InvalidRequest

# Decisions one export holds; a longer period is exported in parts.
EXPORT_MAX = 10_000
router = APIRouter(prefix="/v1", tags=["oversight"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXPORTED = NO_PENALTY | {DiscretionDecision.REDUCED_PUBLIC_BENEFIT}
COLUMNS = ["case_id", "decided_at", "category", "items", "departments", "outcome", "fine_yuan", "followed",
           "reason", "education", "facts", "decided_by", "reviewer"]


@router.get("/cases/{case_id}/trail", summary="One case's entries of the tenant's trail")
async def case_trail(case_id: UUID, runtime: Cases, principal: Reader) -> list[dict[str, Any]]:
    async with runtime.sessions() as session:
        case = await steps.load(session, case_id, visible_to(principal))
        entries = await trail_store.entries(session, case.tenant, str(case_id))
    return [e.__dict__ for e in entries]


@router.get("/trail/verify", summary="Verify the tenant's whole hash chain (auditor, commander)")
async def verify_trail(runtime: Cases, principal: Auditor, tenant: str | None = None) -> dict[str, Any]:
    scope = tenant_of(principal, tenant)
    async with runtime.sessions() as session:
        entries = await trail_store.entries(session, scope)
    broken = verify(entries)
    return {"tenant": scope, "entries": len(entries), "intact": broken is None, "first_broken_seq": broken}


@router.get("/board/deadlines", summary="Open cases that missed a legal deadline (command centre's board)")
async def board(runtime: Cases, principal: Auditor, tenant: str | None = None) -> list[dict[str, Any]]:
    scope = tenant_of(principal, tenant)
    async with runtime.sessions() as session:
        found = await case_store.list_cases(session, tenant=scope, limit=500)
    return [{"case_id": str(c.id), "state": c.state.value, "officer_id": c.officer_id,
             "missed": [k.value for k in c.missed], "deadlines": {k.value: v for k, v in c.deadlines.items()}}
            for c in found if c.missed]


@router.get("/oversight/export.csv", summary="No-penalty and reduced decisions in a period, as CSV (auditor)",
            response_class=Response, responses={200: {"content": {"text/csv": {}}}})
async def export_csv(runtime: Cases, principal: Auditor, start: UtcDatetime, end: UtcDatetime,
                     tenant: str | None = None) -> Response:
    rows = await _rows(runtime, tenant_of(principal, tenant), start, end)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    writer.writerows([[_cell(row[c]) for c in COLUMNS] for row in rows])
    # A BOM, so spreadsheet programs open the Chinese text as UTF-8.
    return Response("\ufeff" + out.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="no-penalty-decisions.csv"'})


@router.get("/oversight/export.xlsx", summary="The same export as an Excel workbook (auditor)",
            response_class=Response, responses={200: {"content": {XLSX: {}}}})
async def export_xlsx(runtime: Cases, principal: Auditor, start: UtcDatetime, end: UtcDatetime,
                      tenant: str | None = None) -> Response:
    rows = await _rows(runtime, tenant_of(principal, tenant), start, end)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "不予处罚及减罚"
    sheet.append(COLUMNS)
    for row in rows:
        sheet.append([_cell(row[c]) for c in COLUMNS])
    out = io.BytesIO()
    book.save(out)
    return Response(out.getvalue(), headers={"Content-Disposition": 'attachment; filename="no-penalty-decisions.xlsx"'},
                    media_type=XLSX)


async def _rows(runtime: Any, tenant: str, start: datetime, end: datetime) -> list[dict[str, Any]]:
    if end <= start:  # an empty export would read as "no such decisions", which is not what was asked
        raise InvalidRequest("end must be after start", field="end")
    async with runtime.sessions() as session:
        found = await case_store.list_cases(session, tenant=tenant, decided_from=start, decided_to=end,
                                            limit=EXPORT_MAX + 1)
    if len(found) > EXPORT_MAX:  # never a silently cut list: the procuratorate would read it as complete
        raise InvalidRequest(f"more than {EXPORT_MAX} decisions in the period; export a shorter one", field="start")
    return [_row(c) for c in found if c.decision is not None and c.decision.outcome in EXPORTED]


def _row(case: Case) -> dict[str, Any]:
    d = case.decision
    assert d is not None
    return {"case_id": str(case.id), "decided_at": d.decided_at.isoformat(), "category": case.category,
            "items": case.item_codes, "departments": case.departments, "outcome": d.outcome.value,
            "fine_yuan": d.fine_fen / 100, "followed": d.followed, "reason": d.reason, "education": d.education,
            "facts": case.facts, "decided_by": d.decided_by, "reviewer": (case.review or {}).get("reviewer")}


def _cell(value: Any) -> str:
    text = ";".join(value) if isinstance(value, list) else "" if value is None else str(value)
    # A leading = + - @ would run as a formula in a spreadsheet (CSV injection).
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text
