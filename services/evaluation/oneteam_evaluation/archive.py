"""The daily reports (日报) made at each tenant's configured local hour and archived as XLSX and PDF.

Looked for every `EVALUATION_REPORT_CHECK_S`: a tenant whose due day (yesterday from its hour
on) is not archived gets it made now, so a service down at the hour catches up when back.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import date

from oneteam_evaluation import charts
from oneteam_evaluation.documents import document, workbook
from oneteam_evaluation.domain.report import DailyReport, day_due
from oneteam_evaluation.queries import daily_report, trend
from oneteam_evaluation.runtime import EvaluationRuntime
from oneteam_evaluation.store import archive
from oneteam_evaluation.store.reads import tenants

log = logging.getLogger(__name__)


async def make_due(runtime: EvaluationRuntime) -> list[tuple[str, date]]:
    """Make and archive every tenant's due report not yet archived; the (tenant, day) made."""
    settings = runtime.evaluation_settings
    now = runtime.clock.now()
    async with runtime.sessions() as session:
        known = await tenants(session)
    made = []
    for tenant in known:
        day = day_due(now, runtime.zone, settings.report_hours.get(tenant, settings.report_hour))
        async with runtime.sessions() as session:
            if await archive.has(session, tenant, day):
                continue
        report = await daily_report(runtime, tenant, day)
        series = await trend(runtime, tenant, day, charts.TREND)
        book, pdf = await charts.off_loop(_files, report, series)
        async with runtime.transaction() as session:
            await archive.keep(session, tenant, day, now, book, pdf)
        made.append((tenant, day))
    return made


def _files(report: DailyReport, series: charts.Series) -> tuple[bytes, bytes]:
    return workbook(report), document(report, charts.of_report(report, series))


async def watch(runtime: EvaluationRuntime) -> None:
    """Look for due reports every interval until cancelled; a failed look is logged and retried."""
    interval = runtime.evaluation_settings.report_check_s
    while True:
        try:
            made = await make_due(runtime)
            if made:
                log.info("daily reports archived: %s", ", ".join(f"{t} {d}" for t, d in made))
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("daily reports not made; trying again in %.0f s", interval)
        await asyncio.sleep(interval)
