"""Targets and where a tenant stands against them over a rolling window (the command centre's alerts)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from oneteam_evaluation.domain.facts import Facts
from oneteam_evaluation.domain.figures import in_window
from oneteam_evaluation.domain.kpis import KPIS, Kpi
from oneteam_evaluation.domain.rules import Rules


@dataclass(frozen=True)
class Standing:
    """One targeted KPI over the window: its value, its target, and whether it falls short."""

    kpi: str
    title: str
    target: float
    numerator: int
    denominator: int
    value: float | None  # None when nothing was counted: no verdict either way
    below: bool


def target_of(kpi: Kpi, rules: Rules) -> float | None:
    """The tenant's own target, else the seed's."""
    return rules.targets.get(kpi.name, kpi.target)


def standings(facts: Facts, rules: Rules, now: datetime, window: timedelta) -> list[Standing]:
    """Every KPI that has a target, over [now - window, now)."""
    found = []
    for kpi in KPIS.values():
        target = target_of(kpi, rules)
        if target is None:
            continue
        samples = in_window(kpi.compute(facts, rules, now), now - window, now)
        hits = sum(1 for s in samples if s.hit)
        value = round(hits / len(samples), 6) if samples else None
        found.append(Standing(kpi.name, kpi.title, target, hits, len(samples), value,
                              below=value is not None and value < target))
    return found
