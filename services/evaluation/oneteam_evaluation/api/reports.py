"""The daily report (日报) on demand, as JSON or an Excel workbook."""

from __future__ import annotations

import io
from dataclasses import asdict, fields
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response
from openpyxl import Workbook

from oneteam_evaluation import queries
from oneteam_evaluation.api.common import Evaluation, Reader, check_reader
from oneteam_evaluation.domain.assessment import SCORED, Hotspot, Scorecard
from oneteam_evaluation.domain.report import DailyReport, Line

router = APIRouter(tags=["reports"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get("/v1/tenants/{tenant}/reports/daily", response_model=None,
            responses={200: {"content": {XLSX: {}}}})
async def daily_report(tenant: str, principal: Reader, runtime: Evaluation,
                       day: Annotated[date, Query(description="The local day, e.g. 2026-11-25")],
                       format: Annotated[Literal["json", "xlsx"], Query(alias="format")] = "json",
                       ) -> dict[str, Any] | Response:
    """Every KPI of the day beside its target, teams' and officers' scorecards, hotspots (commander, head, auditor)."""
    check_reader(principal, tenant, "tenant")
    report = await queries.daily_report(runtime, tenant, day)
    if format == "xlsx":
        return Response(workbook(report), media_type=XLSX,
                        headers={"Content-Disposition": f'attachment; filename="{tenant}-daily-{report.day}.xlsx"'})
    return asdict(report)


def workbook(report: DailyReport) -> bytes:
    """The report as four sheets: 指标 (KPIs), 队伍 (teams), 队员 (officers), 热点 (hotspots)."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "指标"
    sheet.append([f.name for f in fields(Line)])
    for line in report.lines:
        sheet.append(list(asdict(line).values()))
    for title, cards in (("队伍", report.teams), ("队员", report.officers)):
        _scorecards(book.create_sheet(title), cards)
    spots = book.create_sheet("热点")
    spots.append([f.name for f in fields(Hotspot)])
    for spot in report.hotspots:
        spots.append(list(asdict(spot).values()))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _scorecards(sheet: Any, cards: list[Scorecard]) -> None:
    sheet.append(["key", "orders", "busy_s", "distance_m", *SCORED, "score"])
    for card in cards:
        sheet.append([card.key, card.orders, card.busy_s, card.distance_m, *(card.shares.get(n) for n in SCORED),
                      card.score])
