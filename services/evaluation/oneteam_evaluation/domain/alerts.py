"""Breaches of a target (效能预警): when a KPI's standing turns into an alert, and when it recovers.

An alert is raised on the transition into `below`, not on every look at a KPI that is still
below, so the command centre hears of a breach once; it is closed when the KPI is back at or
above its target, and a later fall is a new breach. A KPI with nothing counted has no verdict:
it neither raises nor closes a breach.
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
