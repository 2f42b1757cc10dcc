"""Storing each settled local day's KPI samples, so that a month's query aggregates rows.

A day settles `EVALUATION_SETTLE_AFTER_MINUTES` after it ends in local time: by then every sample
the passing of time alone adds to it is there (an order's stage falling due, an open incident
passing its SLA — counted at its deadline). Later writes that touch the day raise its version
(`store.days.DayMarks`) and it is stored again here. Until a day is stored, a query computes its
samples from the facts (`queries.kpi_figures`), so figures never wait for this loop.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from sqlalchemy.exc import DBAPIError

from oneteam_evaluation.domain.figures import in_window
from oneteam_evaluation.domain.kpis import KPIS
from oneteam_evaluation.runtime import EvaluationRuntime
from oneteam_evaluation.store import days
from oneteam_evaluation.store.reads import load_facts

log = logging.getLogger(__name__)


def day_window(day: date, zone: tzinfo) -> tuple[datetime, datetime]:
    """The local day as [start, end) in UTC."""
    return (datetime.combine(day, time(), zone).astimezone(UTC),
            datetime.combine(day + timedelta(days=1), time(), zone).astimezone(UTC))


def settled_before(runtime: EvaluationRuntime) -> date:
    """The first local day not yet settled: the days before it ended long enough ago."""
    margin = timedelta(minutes=runtime.evaluation_settings.settle_after_minutes)
    return (runtime.clock.now() - margin).astimezone(runtime.zone).date()


async def settle_day(runtime: EvaluationRuntime, tenant: str, day: date) -> bool:
    """Store the day's samples of every KPI; False when a write touched it meanwhile (try again later)."""
    start, end = day_window(day, runtime.zone)
    try:
        async with runtime.sessions.begin() as session:
            # One snapshot for the version and the facts, so the samples are exactly as of that version;
            # a write committed meanwhile makes the version's update fail (and the day stays unsettled).
            await session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
            version = await days.version(session, tenant, day)
            if version is None:
                return True
            facts = await load_facts(session, tenant, start, end,
                                     timedelta(days=runtime.evaluation_settings.repeat_days))
            rules, now = runtime.rules(tenant), runtime.clock.now()
            samples = {name: in_window(kpi.compute(facts, rules, now), start, end) for name, kpi in KPIS.items()}
            await days.settle(session, tenant, day, samples, version, now)
    except DBAPIError as error:
        if getattr(error.orig, "sqlstate", None) == "40001":  # serialization failure: a write won the race
            return False
        raise
    return True


async def settle_due(runtime: EvaluationRuntime, limit: int = 50) -> int:
    """Store the oldest touched days that have settled; how many were stored."""
    quiet = timedelta(seconds=runtime.evaluation_settings.settle_quiet_s)
    async with runtime.sessions() as session:
        due = await days.unsettled(session, settled_before(runtime), limit, quiet)
    stored = 0
    for tenant, day in due:
        stored += await settle_day(runtime, tenant, day)
    return stored


async def watch(runtime: EvaluationRuntime) -> None:
    """Settle days every interval until cancelled; a failed round is logged and retried next time."""
    interval = runtime.evaluation_settings.settle_interval_s
    while True:
        try:
            while await settle_due(runtime) > 0:  # a backlog (after a rebuild) drains without waiting
                pass
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("days not settled; trying again in %.0f s", interval)
        await asyncio.sleep(interval)
