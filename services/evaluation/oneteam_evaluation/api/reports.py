"""The daily report (日报) on demand: JSON, an Excel workbook or a PDF; its charts as PNG."""

from __future__ import annotations

import io
from dataclasses import asdict, fields
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response
from openpyxl import Workbook

from oneteam_evaluation import charts, queries
from oneteam_evaluation.api.common import Evaluation, Reader, check_reader
from oneteam_evaluation.domain.assessment import SCORED, Hotspot, Scorecard
from oneteam_evaluation.domain.report import DailyReport, Line
from oneteam_servicekit.pdf import render_pdf

router = APIRouter(tags=["reports"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF, PNG = "application/pdf", "image/png"
TREND = ["acknowledged", "arrived", "reported", "on_time_closure", "satisfaction"]
Day = Annotated[date, Query(description="The local day, e.g. 2026-11-25")]


@router.get("/v1/tenants/{tenant}/reports/daily", response_model=None,
            responses={200: {"content": {XLSX: {}, PDF: {}}}})
async def daily_report(tenant: str, principal: Reader, runtime: Evaluation, day: Day,
                       format: Annotated[Literal["json", "xlsx", "pdf"], Query(alias="format")] = "json",
                       ) -> dict[str, Any] | Response:
    """Every KPI of the day beside its target, teams' and officers' scorecards, hotspots (commander, head, auditor)."""
    check_reader(principal, tenant, "tenant")
    report = await queries.daily_report(runtime, tenant, day)
    if format in ("xlsx", "pdf"):
        body, media = (workbook(report), XLSX) if format == "xlsx" else (document(report), PDF)
        return Response(body, media_type=media,
                        headers={"Content-Disposition": f'attachment; filename="{tenant}-daily-{report.day}.{format}"'})
    return asdict(report)


@router.get("/v1/tenants/{tenant}/reports/daily/charts/{chart}.png", response_class=Response,
            responses={200: {"content": {PNG: {}}}})
async def daily_chart(tenant: str, chart: Literal["trend", "funnel", "hotspots"], principal: Reader,
                      runtime: Evaluation, day: Day) -> Response:
    """A chart of the daily report: the week's KPI trend, the day's 1-3-5-8 funnel, or its hotspot map."""
    check_reader(principal, tenant, "tenant")
    if chart == "trend":
        return Response(charts.trend(day.isoformat(), await queries.trend(runtime, tenant, day, TREND)),
                        media_type=PNG)
    report = await queries.daily_report(runtime, tenant, day)
    drawn = charts.funnel(report.day, report.lines) if chart == "funnel" else charts.hotspot_map(report.day,
                                                                                               report.hotspots)
    return Response(drawn, media_type=PNG)


def document(report: DailyReport) -> bytes:
    """The report as a Chinese PDF: the KPIs beside their targets, the teams' scores, the hotspots."""
    def share(value: float | None) -> str:
        return "—" if value is None else f"{value * 100:.1f}%"

    lines = ["指标"]
    lines += [f"{line.title}（{line.kpi}）：{share(line.value)}（{line.numerator}/{line.denominator}），"
              f"目标 {share(line.target)}" for line in report.lines]
    lines += ["", "队伍"]
    lines += [f"{card.key}：派单 {card.orders}，得分 {'—' if card.score is None else card.score}"
              for card in report.teams]
    lines += ["", "热点"]
    lines += [f"{spot.grid} {spot.category} {spot.hour:02d}时：{spot.count}（前期 {spot.previous}）"
              for spot in report.hotspots]
    return render_pdf("效能评价日报", f"{report.tenant} {report.day}", lines)


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
