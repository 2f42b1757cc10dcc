"""Breaches of a target (效能预警): when a KPI's standing turns into an alert, and when it recovers.

An alert is raised on the transition into `below`, not on every look at a KPI that is still
below, so the command centre hears of a breach once; it is closed when the KPI is back at or
above its target, and a later fall is a new breach. A KPI with nothing counted has no verdict:
it neither raises nor closes a breach.

Nor is anything judged while the read model may be missing part of history (`hold`): a KPI can
look breached over half a replay that the whole history does not breach.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from oneteam_evaluation.domain.targets import Standing


@dataclass(frozen=True)
class Breach:
    """A KPI of one tenant below its target since `started_at`, until it recovers."""

    alert_id: UUID
    kpi: str
    started_at: datetime


class Change(StrEnum):
    """What a look at the standings does to a breach."""

    RAISED = "raised"
    RECOVERED = "recovered"


@dataclass(frozen=True)
class Transition:
    """A breach raised or closed, with the standing that caused it."""

    change: Change
    breach: Breach
    standing: Standing


def transitions(standings: Iterable[Standing], open_breaches: Mapping[str, Breach], now: datetime,
                new_id: Iterable[UUID]) -> list[Transition]:
    """The breaches to raise (below, none open) and to close (open, back at target); `new_id` names new ones."""
    ids = iter(new_id)
    found = []
    for standing in standings:
        breach = open_breaches.get(standing.kpi)
        if standing.below and breach is None:
            found.append(Transition(Change.RAISED, Breach(next(ids), standing.kpi, now), standing))
        elif breach is not None and standing.value is not None and not standing.below:
            found.append(Transition(Change.RECOVERED, breach, standing))
    return found


@dataclass(frozen=True)
class Hold:
    """Why a look at the targets judges nothing now."""

    reason: str  # "rebuild", "unread" or "behind": the label of the metric that counts such looks
    detail: str


def hold(stored_generation: int, own_generation: int, lags: Mapping[str, int | None], max_lag: int) -> Hold | None:
    """Why the read model may be incomplete, so that its KPIs must not be judged; None when it is caught up.

    `lags` is each consumer group's records still to commit (None: this process has not yet read
    each of its partitions). A rebuild empties
    the read model and replays history under the next generation, so a process reading another
    generation than the stored one judges half a replay, or a model it no longer feeds. A group
    that has not read its partitions, or is more than `max_lag` records behind (a catch-up after
    downtime), leaves recent events out.
    """
    if stored_generation != own_generation:
        return Hold("rebuild", f"the read model is at generation {stored_generation} and this process reads "
                               f"generation {own_generation}: a rebuild is under way, or done and this process "
                               f"awaits its restart")
    for group, lag in sorted(lags.items()):
        if lag is None:
            return Hold("unread", f"consumer group {group} has not read each of its partitions yet")
        if lag > max_lag:
            return Hold("behind", f"consumer group {group} is {lag} records behind (judged from {max_lag} or fewer)")
    return None
