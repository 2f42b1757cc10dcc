"""The daily report (日报): every KPI for the tenant, the teams' and officers' scorecards, the hotspots."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo

from oneteam_evaluation.domain.assessment import Hotspot, Scorecard, hotspots, scorecards
from oneteam_evaluation.domain.facts import Facts
from oneteam_evaluation.domain.figures import Period, figures, in_window
from oneteam_evaluation.domain.kpis import KPIS
from oneteam_evaluation.domain.rules import Rules
from oneteam_evaluation.domain.targets import target_of


@dataclass(frozen=True)
class Line:
    """One KPI's figure for the day, beside its target."""

    kpi: str
    title: str
    numerator: int
    denominator: int
    value: float | None
    target: float | None
    p50_s: float | None
    p90_s: float | None


@dataclass(frozen=True)
class DailyReport:
    """What a tenant's day came to."""

    tenant: str
    day: str
    lines: list[Line]
    teams: list[Scorecard]
    officers: list[Scorecard]
    hotspots: list[Hotspot]


def daily(facts: Facts, rules: Rules, day: str, start: datetime, end: datetime, now: datetime,
          zone: tzinfo) -> DailyReport:
    """The report of the local day [start, end)."""
    lines = []
    for kpi in KPIS.values():
        found = figures(in_window(kpi.compute(facts, rules, now), start, end), Period.ALL, "tenant", zone)
        f = found[0] if found else None
        lines.append(Line(kpi.name, kpi.title, f.numerator if f else 0, f.denominator if f else 0,
                          f.value if f else None, target_of(kpi, rules), f.p50_s if f else None,
                          f.p90_s if f else None))
    return DailyReport(rules.tenant, day, lines, scorecards(facts, rules, "team", start, end, now),
                       scorecards(facts, rules, "officer", start, end, now), hotspots(facts, start, end, zone))


def day_due(now: datetime, zone: tzinfo, hour: int) -> date:
    """The local day whose report is due at `now`: yesterday from `hour` on, else the day before.

    So a service that was down at the hour still makes the report when it is back.
    """
    local = now.astimezone(zone)
    return local.date() - timedelta(days=1 if local.hour >= hour else 2)
