"""Officers and the walking skeleton's naive choice of one.

The dispatch issue replaces `choose_officer` with batch assignment over travel-time costs;
this version picks the nearest available officer of the tenant, falling back to the one
who has waited longest since their last order when no position is known.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from oneteam_contracts import GeoPoint, haversine_m


class OfficerStatus(StrEnum):
    """What an officer is doing now."""

    OFF_DUTY = "off_duty"
    AVAILABLE = "available"
    ASSIGNED = "assigned"
    EN_ROUTE = "en_route"
    ON_SCENE = "on_scene"
    REPORTING = "reporting"
    ON_BREAK = "on_break"


@dataclass(frozen=True)
class Officer:
    """A person who can be dispatched."""

    id: str
    tenant: str
    name: str
    team: str | None
    status: OfficerStatus
    position: GeoPoint | None
    last_assigned_at: datetime | None


@dataclass(frozen=True)
class Choice:
    """The chosen officer and why."""

    officer: Officer
    reason: str


def choose_officer(candidates: list[Officer], tenant: str, at: GeoPoint) -> Choice | None:
    """The nearest available officer of `tenant` to `at`, or None when nobody is free."""
    free = [o for o in candidates if o.tenant == tenant and o.status is OfficerStatus.AVAILABLE]
    if not free:
        return None
    located = [(haversine_m(o.position.lon, o.position.lat, at.lon, at.lat), o) for o in free if o.position]
    if located:
        distance, officer = min(located, key=lambda pair: (pair[0], pair[1].id))
        return Choice(officer, f"nearest available officer, {distance:.0f} m away")
    officer = min(free, key=lambda o: (o.last_assigned_at.timestamp() if o.last_assigned_at else 0.0, o.id))
    return Choice(officer, "no positions known; available officer idle longest")
