"""From samples to figures: one sample per counted thing, grouped by period and dimension.

Each KPI turns facts into samples (an order, an incident, a rating...), each saying when it
counts, under which dimension values, whether it is in the numerator, and a duration where
the KPI has percentiles. Grouping, shares and percentiles are then the same for every KPI,
and the samples behind a figure are what the explanation endpoint lists.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from enum import StrEnum
from uuid import UUID


class Period(StrEnum):
    """How time is bucketed, in the tenant's local time."""

    HOUR = "hour"
    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    ALL = "all"  # the whole query window as one bucket


DIMENSIONS = ("tenant", "district", "grid", "team", "officer", "category", "source", "department", "rule")
"""What figures can be broken down by; `department` and `rule` only mean something for cases."""


@dataclass(frozen=True)
class Sample:
    """One counted thing: an order, an incident, a rating, a case or a mediation."""

    ref: UUID  # the incident (or case, or mediation) a reader can look up
    at: datetime  # when it counts: the order, the closure, the rating...
    dims: Mapping[str, tuple[str, ...]]  # dimension → its values (an order has one per officer)
    hit: bool  # in the numerator
    seconds: float | None = None  # a duration, for percentiles
    ticking: bool = False  # the duration is still running: `seconds` is from `at` to the computation's now


@dataclass(frozen=True)
class Figure:
    """A KPI's value for one period and one dimension value."""

    period: str
    key: str
    numerator: int
    denominator: int
    value: float | None  # numerator ÷ denominator; None when nothing was counted
    p50_s: float | None = None
    p90_s: float | None = None


def bucket(at: datetime, period: Period, zone: tzinfo) -> str:
    """The label of the period `at` falls in, in local time: 2026-11-25T09, 2026-11-25, 2026-W48, 2026-11."""
    local = at.astimezone(zone)
    if period is Period.HOUR:
        return local.strftime("%Y-%m-%dT%H")
    if period is Period.DAY:
        return local.strftime("%Y-%m-%d")
    if period is Period.WEEK:
        year, week, _ = local.isocalendar()
        return f"{year}-W{week:02d}"
    if period is Period.MONTH:
        return local.strftime("%Y-%m")
    return "all"


LABEL_FORMATS = {Period.HOUR: "2026-11-25T09", Period.DAY: "2026-11-25", Period.WEEK: "2026-W48",
                 Period.MONTH: "2026-11", Period.ALL: "all"}


def is_label(label: str, period: Period) -> bool:
    """Whether `label` is one `bucket` can give for `period`: a real hour, day, ISO week or month, or "all"."""
    if period is Period.ALL:
        return label == "all"
    try:
        if period is Period.WEEK:
            year, week = label.split("-W")
            # fromisocalendar refuses a week 53 in a year of 52; the round trip refuses "W1" or "+2026".
            monday = date.fromisocalendar(int(year), int(week), 1)
            return f"{monday.isocalendar()[0]}-W{monday.isocalendar()[1]:02d}" == label
        shape = {Period.HOUR: "%Y-%m-%dT%H", Period.DAY: "%Y-%m-%d", Period.MONTH: "%Y-%m"}[period]
        # strptime also takes unpadded fields (2026-1-5); the round trip keeps only bucket's own spelling.
        return datetime.strptime(label, shape).strftime(shape) == label
    except ValueError:
        return False


def bucket_bounds(label: str, period: Period, zone: tzinfo) -> tuple[datetime, datetime] | None:
    """The [start, end) a period's label covers (a label `is_label` accepts), or None for "all"."""
    if period is Period.ALL:
        return None
    if period is Period.WEEK:
        year, week = label.split("-W")
        first = datetime.combine(date.fromisocalendar(int(year), int(week), 1), datetime.min.time(), zone)
        return first, first + timedelta(days=7)  # aware arithmetic is wall-clock time in the zone
    shape = {Period.HOUR: "%Y-%m-%dT%H", Period.DAY: "%Y-%m-%d", Period.MONTH: "%Y-%m"}[period]
    first = datetime.strptime(label, shape).replace(tzinfo=zone)
    if period is Period.MONTH:
        return first, first.replace(year=first.year + first.month // 12, month=first.month % 12 + 1)
    return first, first + (timedelta(hours=1) if period is Period.HOUR else timedelta(days=1))


def percentile(values: list[float], share: float) -> float | None:
    """The nearest-rank percentile (no interpolation, so every figure is an observed duration)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


def in_window(samples: Iterable[Sample], start: datetime, end: datetime) -> list[Sample]:
    """Samples counted in [start, end)."""
    return [s for s in samples if start <= s.at < end]


def group(samples: Iterable[Sample], period: Period, dimension: str,
          zone: tzinfo) -> dict[tuple[str, str], list[Sample]]:
    """Samples by (period label, dimension value); a sample without the dimension is left out."""
    groups: dict[tuple[str, str], list[Sample]] = {}
    for sample in samples:
        for key in sample.dims.get(dimension, ()):
            groups.setdefault((bucket(sample.at, period, zone), key), []).append(sample)
    return groups


def figures(samples: Iterable[Sample], period: Period, dimension: str, zone: tzinfo) -> list[Figure]:
    """One figure per period and dimension value, in order."""
    result = []
    for (label, key), members in sorted(group(samples, period, dimension, zone).items()):
        hits = sum(1 for s in members if s.hit)
        durations = [s.seconds for s in members if s.seconds is not None]
        result.append(Figure(label, key, hits, len(members), round(hits / len(members), 6),
                             percentile(durations, 0.5), percentile(durations, 0.9)))
    return result


def dims(**values: str | Iterable[str] | None) -> dict[str, tuple[str, ...]]:
    """Dimension values from keyword arguments; None and empty values are dropped."""
    result: dict[str, tuple[str, ...]] = {}
    for name, value in values.items():
        if value is None:
            continue
        found = (value,) if isinstance(value, str) else tuple(sorted(set(value)))
        if found:
            result[name] = found
    return result


def minutes(value: float) -> timedelta:
    """A duration of `value` minutes."""
    return timedelta(minutes=value)
