"""The one door from the simulator into dispatch's own matching code.

The simulator speaks in plain tuples and strings; this module turns them into
`oneteam_dispatch.domain` objects, calls the very functions the dispatch service calls
(`matching.match`, the batch assignment, and `matching.nearest_available`, the one-by-one
baseline) and turns the decisions back. When dispatch's API moves, only this file changes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from uuid import UUID

from oneteam_contracts import CoordinateSystem, GeoPoint, Priority
from oneteam_dispatch.domain import matching
from oneteam_dispatch.domain.officers import Officer, OfficerStatus, TravelMode
from oneteam_dispatch.domain.responsibility import Need

Point = tuple[float, float]

# The simulated shift's clock starts here; the value only matters to dispatch's shift and
# staleness checks, which see every simulated officer as on shift with a fresh position.
EPOCH = datetime(2026, 6, 1, 0, 0, tzinfo=UTC)  # 08:00 in Hangzhou


@dataclass(frozen=True)
class Candidate:
    """An officer free to take an order, where they are right now."""

    id: str
    tenant: str
    district: str
    department: str
    skills: frozenset[str]
    mode: str
    position: Point


@dataclass(frozen=True)
class Request:
    """An incident waiting for officers: one from `department` (with `skills`), one per joint department."""

    key: int
    tenant: str
    location: Point
    district: str | None  # None lets dispatch look in every district (the command centre widening)
    department: str
    skills: frozenset[str]
    joint_departments: tuple[str, ...]
    priority: str
    arrive_within_s: float


@dataclass(frozen=True)
class Outcome:
    """Officers for a request, lead first, or none and why (it goes to the command centre's queue)."""

    key: int
    officer_ids: tuple[str, ...]
    reason: str


class Dispatcher:
    """Dispatch's matching with one policy: `batch` (assignment problem) or the nearest-first baseline."""

    def __init__(self, neighbours: Mapping[str, frozenset[str]], *, batch: bool) -> None:
        self.policy = matching.Policy(neighbours=dict(neighbours))
        self.solve = matching.match if batch else matching.nearest_available
        self._points: dict[Point, GeoPoint] = {}

    @property
    def detour_factor(self) -> float:
        """Road distance ÷ straight-line distance, as dispatch estimates it."""
        return float(self.policy.detour_factor)

    def speed_mps(self, mode: str) -> float:
        """A travel mode's effective urban speed, as dispatch estimates it."""
        return float(self.policy.speeds_mps[TravelMode(mode)])

    def decide(self, requests: Sequence[Request], candidates: Sequence[Candidate], now_s: float) -> list[Outcome]:
        """One matching round at `now_s` seconds into the shift; one outcome per request, in order."""
        now = EPOCH + timedelta(seconds=now_s)
        officers = [Officer(id=c.id, tenant=c.tenant, name=c.id, team=None, status=OfficerStatus.AVAILABLE,
                            position=self._point(c.position), last_assigned_at=None, department=c.department,
                            district=c.district, skills=c.skills, mode=TravelMode(c.mode), position_at=now)
                    for c in candidates]
        demands = [matching.Demand(
            incident_id=UUID(int=r.key), tenant=r.tenant, location=self._point(r.location),
            needs=(Need(r.department, r.skills), *(Need(d) for d in r.joint_departments if d != r.department)),
            district=r.district, priority=Priority(r.priority), arrive_within_s=r.arrive_within_s,
        ) for r in requests]
        decisions = self.solve(demands, officers, now, self.policy)
        return [Outcome(r.key, tuple(d.officer_ids) if d.assigned else (), d.reason())
                for r, d in zip(requests, decisions, strict=True)]

    def _point(self, p: Point) -> GeoPoint:
        # Positions come from the simulator already valid; skip pydantic's validation cost.
        found = self._points.get(p)
        if found is None:
            found = GeoPoint.model_construct(lon=p[0], lat=p[1], crs=CoordinateSystem.WGS84)
            if len(self._points) > 50_000:
                self._points.clear()
            self._points[p] = found
        return found
