"""The daily report (日报) on demand: JSON, an Excel workbook or a PDF; its charts as PNG."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response

from oneteam_evaluation import charts, queries
from oneteam_evaluation.api.common import Evaluation, Reader, check_reader
from oneteam_evaluation.documents import document, workbook
from oneteam_evaluation.domain.report import DailyReport
from oneteam_evaluation.store import archive
from oneteam_servicekit import NotFound

router = APIRouter(tags=["reports"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF, PNG = "application/pdf", "image/png"
# Bounded: a report looks a week back and a day ahead, which must stay within the calendar.
Day = Annotated[date, Query(description="The local day, e.g. 2026-11-25", ge=date(2000, 1, 1),
                            le=date(2999, 12, 31))]


@router.get("/v1/tenants/{tenant}/reports/daily", response_model=None,
            responses={200: {"content": {XLSX: {}, PDF: {}}}})
async def daily_report(tenant: str, principal: Reader, runtime: Evaluation, day: Day,
                       format: Annotated[Literal["json", "xlsx", "pdf"], Query(alias="format")] = "json",
                       ) -> dict[str, Any] | Response:
    """Every KPI of the day beside its target, teams' and officers' scorecards, hotspots (commander, head, auditor).

    The PDF prints the charts after the tables: the week's trend, the 1-3-5-8 funnel, the hotspot map.
    """
    check_reader(principal, tenant, "tenant")
    report = await queries.daily_report(runtime, tenant, day)
    if format == "json":
        return asdict(report)
    if format == "xlsx":
        body, media = await charts.off_loop(workbook, report), XLSX
    else:
        series = await queries.trend(runtime, tenant, day, charts.TREND)
        body, media = await charts.off_loop(_pdf, report, series), PDF
    return Response(body, media_type=media,
                    headers={"Content-Disposition": f'attachment; filename="{tenant}-daily-{report.day}.{format}"'})


@router.get("/v1/tenants/{tenant}/reports/daily/charts/{chart}.png", response_class=Response,
            responses={200: {"content": {PNG: {}}}})
async def daily_chart(tenant: str, chart: Literal["trend", "funnel", "hotspots"], principal: Reader,
                      runtime: Evaluation, day: Day) -> Response:
    """A chart of the daily report: the week's KPI trend, the day's 1-3-5-8 funnel, or its hotspot map."""
    check_reader(principal, tenant, "tenant")
    if chart == "trend":
        series = await queries.trend(runtime, tenant, day, charts.TREND)
        return Response(await charts.off_loop(charts.trend, day.isoformat(), series), media_type=PNG)
    report = await queries.daily_report(runtime, tenant, day)
    if chart == "funnel":
        return Response(await charts.off_loop(charts.funnel, report.day, report.lines), media_type=PNG)
    return Response(await charts.off_loop(charts.hotspot_map, report.day, report.hotspots), media_type=PNG)


def _pdf(report: DailyReport, series: charts.Series) -> bytes:
    return document(report, charts.of_report(report, series))


@router.get("/v1/tenants/{tenant}/reports/daily/archive")
async def archived(tenant: str, principal: Reader, runtime: Evaluation) -> dict[str, Any]:
    """The daily reports made at the tenant's hour: each day and when it was made (commander, head, auditor)."""
    check_reader(principal, tenant, "tenant")
    async with runtime.sessions() as session:
        found = await archive.listed(session, tenant)
    return {"reports": [{"day": day.isoformat(), "generated_at": at.isoformat()} for day, at in found]}


@router.get("/v1/tenants/{tenant}/reports/daily/archive/{day}.{kind}", response_class=Response,
            responses={200: {"content": {XLSX: {}, PDF: {}}}})
async def archived_document(tenant: str, day: date, kind: Literal["xlsx", "pdf"], principal: Reader,
                            runtime: Evaluation) -> Response:
    """One archived daily report, as it was made at the tenant's hour."""
    check_reader(principal, tenant, "tenant")
    async with runtime.sessions() as session:
        body = await archive.document(session, tenant, day, kind)
    if body is None:
        raise NotFound(f"no daily report of {day} archived for {tenant}; GET .../reports/daily/archive lists them")
    return Response(body, media_type=XLSX if kind == "xlsx" else PDF,
                    headers={"Content-Disposition": f'attachment; filename="{tenant}-daily-{day}.{kind}"'})
