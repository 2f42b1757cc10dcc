"""The application's reads: a window's facts from the store, the domain's figures over them."""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from datetime import date, datetime, timedelta

from oneteam_evaluation.domain.assessment import Hotspot, Scorecard, hotspots, scorecards
from oneteam_evaluation.domain.cells import grid_of, h3_of
from oneteam_evaluation.domain.facts import PARTS, Facts
from oneteam_evaluation.domain.figures import Figure, Period, Sample, bucket_bounds, figures, group, in_window
from oneteam_evaluation.domain.kpis import KPIS
from oneteam_evaluation.domain.report import DailyReport, daily
from oneteam_evaluation.domain.targets import Standing, standings
from oneteam_evaluation.runtime import EvaluationRuntime
from oneteam_evaluation.settling import day_window, settled_before
from oneteam_evaluation.store import days
from oneteam_evaluation.store.aggregate import aggregate
from oneteam_evaluation.store.reads import load_facts
from oneteam_servicekit import NotFound


async def facts_for(runtime: EvaluationRuntime, tenant: str, start: datetime, end: datetime,
                    previous_window: bool = False, parts: AbstractSet[str] = PARTS) -> Facts:
    """The tenant's facts that can count in [start, end), with the look-back repeats need.

    With `previous_window`, also the window just before, for the hotspots' trend; only they
    need it, and a month's query would otherwise load two months. `parts`: see `load_facts`.
    """
    lookback = timedelta(days=runtime.evaluation_settings.repeat_days)
    if previous_window:
        lookback = max(lookback, end - start)
    async with runtime.sessions() as session:
        return await load_facts(session, tenant, start, end, lookback, parts)


async def samples(runtime: EvaluationRuntime, tenant: str, kpi: str, start: datetime, end: datetime) -> list[Sample]:
    """The samples of one KPI counted in [start, end)."""
    if kpi not in KPIS:
        raise NotFound(f"no KPI named {kpi}; GET /v1/kpis lists them")
    facts = await facts_for(runtime, tenant, start, end, parts=KPIS[kpi].reads)
    return in_window(KPIS[kpi].compute(facts, runtime.rules(tenant), runtime.clock.now()), start, end)


async def kpi_figures(runtime: EvaluationRuntime, tenant: str, kpi: str, start: datetime, end: datetime,
                      period: Period, dimension: str) -> list[Figure]:
    """One KPI by period and dimension over [start, end).

    Settled days' samples are stored (`settling`) and grouped in PostgreSQL; the other days'
    (today's, and any a write touched since they were stored) are computed from the facts now,
    one load per run of consecutive days, and grouped with them.
    """
    if kpi not in KPIS:
        raise NotFound(f"no KPI named {kpi}; GET /v1/kpis lists them")
    found, zone, now = KPIS[kpi], runtime.zone, runtime.clock.now()
    first, last = start.astimezone(zone).date(), (end - timedelta(microseconds=1)).astimezone(zone).date()
    wanted = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    lookback = timedelta(days=runtime.evaluation_settings.repeat_days if found.looks_back else 0)
    async with runtime.sessions() as session:
        stored, live = await days.classify(session, tenant, wanted, settled_before(runtime))
        fresh: list[Sample] = []
        for run_start, run_end in _runs(live):
            window_start, window_end = day_window(run_start, zone)[0], day_window(run_end, zone)[1]
            window_start, window_end = max(start, window_start), min(end, window_end)
            facts = await load_facts(session, tenant, window_start, window_end, lookback, found.reads)
            fresh += in_window(found.compute(facts, runtime.rules(tenant), now), window_start, window_end)
        return await aggregate(session, tenant=tenant, kpi=kpi, stored_days=stored, start=start, end=end,
                               period=period, dimension=dimension, zone=runtime.evaluation_settings.timezone,
                               now=now, fresh=fresh)


def _runs(found: list[date]) -> list[tuple[date, date]]:
    """Consecutive days as (first, last) runs."""
    runs: list[tuple[date, date]] = []
    for day in sorted(found):
        if runs and runs[-1][1] + timedelta(days=1) == day:
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs


async def explain(runtime: EvaluationRuntime, tenant: str, kpi: str, start: datetime, end: datetime,
                  period: Period, dimension: str, label: str, key: str) -> list[Sample]:
    """The samples behind one figure (one period label and one dimension value)."""
    bounds = bucket_bounds(label, period, runtime.zone)
    if bounds is not None:  # only the label's own period can hold its samples
        start, end = max(start, bounds[0]), min(end, bounds[1])
        if start >= end:
            return []
    found = group(await samples(runtime, tenant, kpi, start, end), period, dimension, runtime.zone)
    return sorted(found.get((label, key), []), key=lambda s: (s.at, str(s.ref)))


async def cards(runtime: EvaluationRuntime, tenant: str, dimension: str, start: datetime,
                end: datetime) -> list[Scorecard]:
    """Officers' or teams' scorecards over [start, end)."""
    facts = await facts_for(runtime, tenant, start, end)
    weights = dict(runtime.evaluation_settings.score_weights) or None
    return scorecards(facts, runtime.rules(tenant), dimension, start, end, runtime.clock.now(), weights)


async def standing(runtime: EvaluationRuntime, tenant: str) -> tuple[datetime, datetime, list[Standing]]:
    """The tenant's targeted KPIs over the rolling window that ends now."""
    now = runtime.clock.now()
    window = timedelta(days=runtime.evaluation_settings.alert_window_days)
    facts = await facts_for(runtime, tenant, now - window, now)
    return now - window, now, standings(facts, runtime.rules(tenant), now, window)


async def daily_report(runtime: EvaluationRuntime, tenant: str, day: date) -> DailyReport:
    """The daily report (日报) of one local day."""
    start, end = day_window(day, runtime.zone)
    facts = await facts_for(runtime, tenant, start, end, previous_window=True)  # its hotspots' trend
    return daily(facts, runtime.rules(tenant), day.isoformat(), start, end, runtime.clock.now(), runtime.zone)


async def trend(runtime: EvaluationRuntime, tenant: str, day: date, names: list[str],
                days: int = 7) -> dict[str, list[tuple[str, float | None]]]:
    """Each KPI's share on each of the `days` local days ending with `day`, for the report's trend."""
    start, end = day_window(day - timedelta(days=days - 1), runtime.zone)[0], day_window(day, runtime.zone)[1]
    facts = await facts_for(runtime, tenant, start, end, parts=frozenset().union(*(KPIS[n].reads for n in names)))
    labels = [(day - timedelta(days=n)).isoformat() for n in range(days - 1, -1, -1)]
    found = {}
    for name in names:
        values = {f.period: f.value for f in figures(
            in_window(KPIS[name].compute(facts, runtime.rules(tenant), runtime.clock.now()), start, end),
            Period.DAY, "tenant", runtime.zone)}
        found[name] = [(label, values.get(label)) for label in labels]
    return found


async def hot(runtime: EvaluationRuntime, tenant: str, start: datetime, end: datetime, top: int,
              h3_resolution: int | None = None) -> list[Hotspot]:
    """The busiest grid (or H3 cell, at `h3_resolution`) × category × hour cells over [start, end)."""
    cell_of = grid_of if h3_resolution is None else h3_of(h3_resolution)
    facts = await facts_for(runtime, tenant, start, end, previous_window=True)
    return hotspots(facts, start, end, runtime.zone, top, cell_of)
