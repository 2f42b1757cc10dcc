"""Who could serve whom: the feasible (slot, officer) pairs of matching, found with a spatial index.

A slot is one need of one waiting incident. Rather than an ETA for every slot and every
officer (5 million pairs at a city's 1 000 × 5 000), each slot is searched only up to its
*horizon*, an ETA in seconds: a k-d tree per (tenant, department, travel mode) returns the
officers within horizon × speed ÷ detour metres, and the rules (skills, exclusions, the
arrival limit) are applied to those pairs only. A slot whose horizon has reached its
arrival limit is *complete*: it holds every officer who may serve it. Matching starts with
short horizons and reaches further only for the slots whose choice it cannot yet prove.
ETAs are computed exactly as the dense matrix computed them (same projection, same float
operations), so the decisions do not move. Pure: no I/O.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime
from itertools import chain
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
from scipy.spatial import cKDTree  # type: ignore[import-untyped]

from oneteam_contracts import GeoPoint
from oneteam_dispatch.domain.officers import Officer, TravelMode
from oneteam_dispatch.domain.responsibility import Need

if TYPE_CHECKING:  # matching builds candidates; only the types flow back
    from oneteam_dispatch.domain.matching import Demand, Policy

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

_EARTH_RADIUS_M = 6371008.8
# The tree compares metres, the rule compares seconds: a hair of slack so rounding never
# drops a pair right at the edge; the exact ETA test follows.
_SLACK = 1e-9


class Candidates:
    """The slots of `demands` and, per slot, its feasible officers within the slot's horizon."""

    def __init__(self, demands: Sequence[Demand], officers: Sequence[Officer], now: datetime,
                 policy: Policy) -> None:
        self.slot_demand: IntArray = np.array([d for d, demand in enumerate(demands) for _ in demand.needs],
                                              dtype=np.int64)
        self.slot_need: list[Need] = [need for demand in demands for need in demand.needs]
        n, m = len(self.slot_need), len(officers)
        self.size, self.officer_count = n, m
        self.limit: FloatArray = np.fromiter((demands[d].arrive_within_s for d in self.slot_demand), np.float64, n)
        self.bonus: FloatArray = np.fromiter(
            (policy.priority_bonus_s.get(demands[d].priority, 0.0) for d in self.slot_demand), np.float64, n)
        self.penalty: FloatArray = np.fromiter(
            (policy.workload_penalty_s * o.active_orders
             + (policy.stale_penalty_s if o.position_is_stale(now, policy.stale_after) else 0.0)
             for o in officers), np.float64, m)
        self.horizon: FloatArray = np.zeros(n)
        self.slot: IntArray = np.zeros(0, dtype=np.int64)
        self.officer: IntArray = np.zeros(0, dtype=np.int64)
        self.eta: FloatArray = np.zeros(0)
        self.local: BoolArray = np.zeros(0, dtype=np.bool_)
        self.neighbour: BoolArray = np.zeros(0, dtype=np.bool_)
        if n == 0 or m == 0:
            self.horizon = self.limit.copy()  # nothing to search: every slot is complete
            return
        self._geometry(demands, officers, policy)
        self._rules(demands, officers, policy)

    @property
    def complete(self) -> BoolArray:
        """Slots whose every feasible officer is among the pairs."""
        done: BoolArray = self.horizon >= self.limit
        return done

    def reach(self, slots: IntArray, horizon: FloatArray | float) -> None:
        """Search `slots` up to `horizon` seconds (capped at their arrival limit); never shrinks."""
        wanted = np.minimum(np.broadcast_to(horizon, slots.shape), self.limit[slots])
        more = wanted > self.horizon[slots]
        grow = slots[more]
        if grow.size == 0:
            return
        self.horizon[grow] = wanted[more]
        keep = ~np.isin(self.slot, grow)
        found = self._search(grow)
        parts = [(self.slot[keep], self.officer[keep], self.eta[keep]), found]
        slot = np.concatenate([p[0] for p in parts])
        # Stable, so each slot's officers stay in roster order: ties break as the dense argmin did.
        order = np.argsort(slot, kind="stable")
        self.slot = slot[order]
        self.officer = np.concatenate([p[1] for p in parts])[order]
        self.eta = np.concatenate([p[2] for p in parts])[order]
        self.local, self.neighbour = self._districts(self.slot, self.officer)

    def _geometry(self, demands: Sequence[Demand], officers: Sequence[Officer], policy: Policy) -> None:
        lat0 = math.radians(sum(d.location.lat for d in demands) / len(demands))
        scale = _EARTH_RADIUS_M * math.pi / 180.0

        def xy(points: list[GeoPoint]) -> tuple[FloatArray, FloatArray]:
            lon = np.fromiter((p.lon for p in points), np.float64, len(points))
            lat = np.fromiter((p.lat for p in points), np.float64, len(points))
            return lon * scale * math.cos(lat0), lat * scale

        # Equirectangular projection: within a subdistrict its error is far below the detour's.
        self._ix, self._iy = xy([demands[d].location for d in self.slot_demand])
        self._ox, self._oy = xy([o.position for o in officers if o.position is not None])
        speed = np.fromiter((policy.speeds_mps[o.mode] for o in officers), np.float64, len(officers))
        self._seconds_per_metre: FloatArray = policy.detour_factor / speed
        # One tree per (tenant, department, mode): each answers one radius, the mode's reach.
        groups: dict[tuple[str, str, TravelMode], list[int]] = {}
        for j, o in enumerate(officers):
            groups.setdefault((o.tenant, o.department, o.mode), []).append(j)
        self._trees: dict[tuple[str, str], list[tuple[IntArray, cKDTree, float]]] = {}
        for (tenant, department, mode), members in groups.items():
            index = np.array(members, dtype=np.int64)
            tree = cKDTree(np.column_stack([self._ox[index], self._oy[index]]))
            metres_per_second = policy.speeds_mps[mode] / policy.detour_factor
            self._trees.setdefault((tenant, department), []).append((index, tree, metres_per_second))
        self._slot_key = [(demands[d].tenant, need.department) for d, need in zip(self.slot_demand, self.slot_need,
                                                                                  strict=True)]

    def _rules(self, demands: Sequence[Demand], officers: Sequence[Officer], policy: Policy) -> None:
        wanted = sorted({skill for need in self.slot_need for skill in need.skills})
        position = {skill: k for k, skill in enumerate(wanted)}
        self._need = np.zeros((self.size, len(wanted)), dtype=np.bool_)
        self._lacks = np.zeros((self.officer_count, len(wanted)), dtype=np.bool_)
        for s, need in enumerate(self.slot_need):
            self._need[s, [position[skill] for skill in need.skills]] = True
        if wanted:
            self._lacks[:] = [[skill not in o.skills for skill in wanted] for o in officers]
        index = {o.id: j for j, o in enumerate(officers)}
        self._excluded: IntArray = np.array(sorted(
            s * self.officer_count + index[officer_id] for s, d in enumerate(self.slot_demand)
            for officer_id in demands[d].excluded if officer_id in index), dtype=np.int64)
        vocabulary: dict[str | None, int] = {None: -1}
        for district in chain((demands[d].district for d in self.slot_demand), (o.district for o in officers)):
            vocabulary.setdefault(district, len(vocabulary) - 1)
        self._slot_district = np.array([vocabulary[demands[d].district] for d in self.slot_demand], dtype=np.int64)
        self._officer_district = np.array([vocabulary[o.district] for o in officers], dtype=np.int64)
        self._next_door = np.zeros((len(vocabulary), len(vocabulary)), dtype=np.bool_)
        for district, code in vocabulary.items():
            for other in policy.neighbours.get(district, frozenset()) if district is not None else ():
                if other in vocabulary:
                    self._next_door[code, vocabulary[other]] = True

    def _search(self, slots: IntArray) -> tuple[IntArray, IntArray, FloatArray]:
        """The feasible pairs of `slots` within their horizons, ordered by slot then officer."""
        found_slot: list[IntArray] = []
        found_officer: list[IntArray] = []
        by_key: dict[tuple[str, str], list[int]] = {}
        for s in slots.tolist():
            by_key.setdefault(self._slot_key[s], []).append(s)
        for key, members in by_key.items():
            mine = np.array(members, dtype=np.int64)
            points = np.column_stack([self._ix[mine], self._iy[mine]])
            for index, tree, metres_per_second in self._trees.get(key, []):
                radius = self.horizon[mine] * metres_per_second * (1 + _SLACK) + _SLACK
                hits = tree.query_ball_point(points, radius, return_sorted=False)
                counts = np.fromiter(map(len, hits), np.int64, len(hits))
                found_slot.append(np.repeat(mine, counts))
                found_officer.append(index[np.fromiter(chain.from_iterable(hits), np.int64, int(counts.sum()))])
        slot = np.concatenate(found_slot) if found_slot else np.zeros(0, dtype=np.int64)
        officer = np.concatenate(found_officer) if found_officer else np.zeros(0, dtype=np.int64)
        # The very operations of the dense matrix, pair by pair, so ETAs agree to the bit.
        eta = np.hypot(self._ix[slot] - self._ox[officer], self._iy[slot] - self._oy[officer])
        eta *= self._seconds_per_metre[officer]
        ok = eta <= self.horizon[slot]
        if self._need.shape[1]:
            ok &= ~(self._need[slot] & self._lacks[officer]).any(axis=1)
        if self._excluded.size:
            ok &= ~np.isin(slot * self.officer_count + officer, self._excluded)
        slot, officer, eta = slot[ok], officer[ok], eta[ok]
        order = np.argsort(slot * self.officer_count + officer)
        return slot[order], officer[order], eta[order]

    def _districts(self, slot: IntArray, officer: IntArray) -> tuple[BoolArray, BoolArray]:
        """Per pair: the officer is of the incident's district (or either is unknown), or of a neighbour."""
        mine, theirs = self._slot_district[slot], self._officer_district[officer]
        local: BoolArray = (mine < 0) | (theirs < 0) | (mine == theirs)
        neighbour: BoolArray = self._next_door[mine, theirs] & ~local
        return local, neighbour
