"""How far matching can reach: the only officers it could ever choose for some waiting demands.

Matching never sends an officer whose ETA exceeds the demand's arrival limit — there is no
fallback to "the nearest, however far": a demand nobody can reach in time goes to the command
centre's queue. ETA is straight-line distance × detour ÷ the officer's speed, so for each need
and travel mode the feasible officers lie within ``limit × speed ÷ detour`` metres. Reading only
the officers inside those circles (of the right department, with the needed skills) gives
matching every officer it could choose and no others that matter: the decisions are those of
the whole roster, and the read grows with the batch, not with the tenant. Pure: no I/O.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from oneteam_dispatch.domain.matching import Demand, Policy
from oneteam_dispatch.domain.officers import Officer, OfficerStatus, TravelMode

_METRES_PER_DEGREE = 6371008.8 * math.pi / 180.0  # of latitude; the radius candidates projects with
# The circles are drawn a little wider than the rule: reading an officer too many costs
# microseconds, missing one would change a decision.
_MARGIN = 1.01
_MARGIN_M = 1.0
_WHOLE_EARTH = 360.0  # degrees: a half-axis this long covers every position


@dataclass(frozen=True)
class Reach:
    """Officers of `department` with `skills`, travelling by `mode`, inside an ellipse in degrees
    centred on (`lon`, `lat`) with half-axes `half_lon` and `half_lat`."""

    department: str
    skills: frozenset[str]
    mode: TravelMode
    lon: float
    lat: float
    half_lon: float
    half_lat: float

    def covers(self, officer: Officer) -> bool:
        """Whether `officer` is inside this reach (the same test the roster read makes)."""
        p = officer.position
        return (p is not None and officer.department == self.department and officer.mode is self.mode
                and self.skills <= officer.skills
                and ((p.lon - self.lon) / self.half_lon) ** 2 + ((p.lat - self.lat) / self.half_lat) ** 2 <= 1.0)


def reaches(demands: Sequence[Demand], policy: Policy) -> list[Reach]:
    """One reach per need of each demand and travel mode: together they hold every officer that
    matching `demands` under `policy` could choose (identical reaches are given once)."""
    if not demands:
        return []
    # Candidates projects x with the cosine of the demands' mean latitude; the cosine of the
    # farthest latitude of the circle is never larger, so the ellipse also holds the true circle.
    mean_cos = math.cos(math.radians(sum(d.location.lat for d in demands) / len(demands)))
    found: dict[Reach, None] = {}
    for demand in demands:
        for mode, speed in policy.speeds_mps.items():
            radius_m = demand.arrive_within_s * speed / policy.detour_factor * _MARGIN + _MARGIN_M
            half_lat = min(radius_m / _METRES_PER_DEGREE, _WHOLE_EARTH)  # an endless limit reaches all
            edge = math.radians(min(89.0, abs(demand.location.lat) + half_lat))
            half_lon = min(half_lat / max(min(mean_cos, math.cos(edge)), 1e-6), _WHOLE_EARTH)
            for need in demand.needs:
                found[Reach(need.department, need.skills, mode, demand.location.lon, demand.location.lat,
                            half_lon, half_lat)] = None
    return list(found)


def reachable(officers: Sequence[Officer], reach: Sequence[Reach]) -> list[Officer]:
    """The officers inside any of `reach`, in their order: what the roster read returns."""
    return [o for o in officers if any(r.covers(o) for r in reach)]


def within(officers: Sequence[Officer], reach: Sequence[Reach]) -> list[Officer]:
    """`reachable` for thousands of officers at once, with the roster read's own tests (the box,
    then the ellipse, in double precision): a Python loop of `covers` over 7 000 officers and a
    dozen reaches took tens of milliseconds; this takes one or two."""
    if not officers or not reach:
        return []
    table = ReachTable(officers)
    return table.pick(table.inside(reach))


class ReachTable:
    """Officers in a fixed order as the arrays `within` tests: kept between matches, a slot is
    written again when its officer changes, so a match no longer builds arrays of the whole
    roster from Python objects (~5 ms at 6 400 officers, the largest part of a small match)."""

    def __init__(self, officers: Sequence[Officer]) -> None:
        n = len(officers)
        self.officers = list(officers)
        self._slot = {o.id: i for i, o in enumerate(officers)}
        self._kinds: dict[tuple[str, TravelMode], int] = {}
        self._skill_sets: dict[frozenset[str], int] = {}
        self._kind = np.fromiter((self._kinds.setdefault((o.department, o.mode), len(self._kinds))
                                  for o in officers), np.int64, n)
        self._skills = np.fromiter((self._skill_sets.setdefault(o.skills, len(self._skill_sets))
                                    for o in officers), np.int64, n)
        self._lon = np.fromiter((math.nan if o.position is None else o.position.lon for o in officers), np.float64, n)
        self._lat = np.fromiter((math.nan if o.position is None else o.position.lat for o in officers), np.float64, n)
        self.available = np.fromiter((o.status is OfficerStatus.AVAILABLE for o in officers), np.bool_, n)

    def put(self, officer: Officer) -> None:
        """`officer`, already in the table, has changed."""
        slot = self._slot[officer.id]
        self.officers[slot] = officer
        self._kind[slot] = self._kinds.setdefault((officer.department, officer.mode), len(self._kinds))
        self._skills[slot] = self._skill_sets.setdefault(officer.skills, len(self._skill_sets))
        self._lon[slot] = math.nan if officer.position is None else officer.position.lon
        self._lat[slot] = math.nan if officer.position is None else officer.position.lat
        self.available[slot] = officer.status is OfficerStatus.AVAILABLE

    def inside(self, reach: Sequence[Reach]) -> np.ndarray[tuple[int], np.dtype[np.bool_]]:
        """Which slots lie inside any of `reach`."""
        inside = np.zeros(len(self.officers), dtype=np.bool_)
        for r in reach:
            k = self._kinds.get((r.department, r.mode))
            if k is None:
                continue
            fits = np.fromiter((r.skills <= s for s in self._skill_sets), np.bool_, len(self._skill_sets))
            pick = np.flatnonzero((self._kind == k) & fits[self._skills] & ~inside)
            x, y = self._lon[pick], self._lat[pick]  # NaN (no position) fails every comparison, as NULL in SQL
            east, north = (x - r.lon) / r.half_lon, (y - r.lat) / r.half_lat
            hit = ((x >= r.lon - r.half_lon) & (x <= r.lon + r.half_lon) & (y >= r.lat - r.half_lat)
                   & (y <= r.lat + r.half_lat) & (east * east + north * north <= 1.0))
            inside[pick[hit]] = True
        return inside

    def pick(self, slots: np.ndarray[tuple[int], np.dtype[np.bool_]]) -> list[Officer]:
        """The officers of the chosen slots, in order."""
        return [self.officers[i] for i in np.flatnonzero(slots).tolist()]
