"""Who could serve whom: the feasible (slot, officer) pairs of matching, found with a spatial index.

A slot is one need of one waiting incident. Rather than an ETA for every slot and every
officer (5 million pairs at a city's 1 000 × 5 000), each slot is searched only so far:
every officer whose ETA is within the slot's *ETA horizon*, and every officer whose ETA
plus penalty (workload, stale fix) is within its *cost horizon*. Officers sit in k-d trees,
one per (tenant, department, travel mode, skills, penalty), so a query returns only
officers of the right department with the needed skills, and the two horizons become one
radius per tree. A slot whose horizons cover its arrival limit is *complete*: it holds
every officer who may serve it. Matching starts with short horizons and reaches further
only for the slots whose choice it cannot yet prove. Small problems (100 × 500) skip the
trees: every slot is tried against every officer of its kind at once, and is complete.
ETAs are computed exactly as the dense matrix computed them (same projection, same float
operations), so decisions agree. Pure: no I/O.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import chain
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
from scipy.spatial import cKDTree  # type: ignore[import-untyped]

from oneteam_contracts import GeoPoint
from oneteam_dispatch.domain.officers import Officer
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
# Below this many slot × officer pairs, building and querying some seventy small trees costs
# more than trying every pair (measured at 100 × 500): search everything at once, no trees.
_EVERY_PAIR_UNDER = 100_000


@dataclass(frozen=True)
class _Group:
    """Officers alike for matching: same tenant, department, mode, skills and penalty."""

    skills: frozenset[str]
    penalty: float
    metres_per_second: float  # of ETA: speed ÷ detour
    members: IntArray
    tree: cKDTree | None  # None: small enough to try every member


class Candidates:
    """The slots of `demands` and, per slot, its feasible officers within the slot's horizons."""

    def __init__(self, demands: Sequence[Demand], officers: Sequence[Officer], now: datetime,
                 policy: Policy) -> None:
        self.slot_demand: IntArray = np.array([d for d, demand in enumerate(demands) for _ in demand.needs],
                                              dtype=np.int64)
        self.slot_need: list[Need] = [need for demand in demands for need in demand.needs]
        n, m = len(self.slot_need), len(officers)
        self.size, self.officer_count = n, m
        self._every_pair = n * m < _EVERY_PAIR_UNDER
        slot_demands = [demands[d] for d in self.slot_demand.tolist()]
        self.limit: FloatArray = np.array([d.arrive_within_s for d in slot_demands], dtype=np.float64)
        self.bonus: FloatArray = np.array([policy.priority_bonus_s.get(d.priority, 0.0) for d in slot_demands],
                                          dtype=np.float64)
        # Officers' facts one plain attribute at a time: the fastest Python has (5 000 in ~0.5 ms).
        self._tenant = [o.tenant for o in officers]
        self._department = [o.department for o in officers]
        self._skills = [o.skills for o in officers]
        self._district = [o.district for o in officers]
        orders = [o.active_orders for o in officers]
        modes = [o.mode for o in officers]
        stale = np.fromiter((o.position_is_stale(now, policy.stale_after) for o in officers), np.bool_, m)
        speed = np.fromiter(map(policy.speeds_mps.__getitem__, modes), np.float64, m)
        self.penalty: FloatArray = (policy.workload_penalty_s * np.array(orders, dtype=np.float64)
                                    + np.where(stale, policy.stale_penalty_s, 0.0))
        # The cost horizon that covers the arrival limit for every officer, however penalised.
        self.full_cost: FloatArray = self.limit + float(self.penalty.max(initial=0.0))
        self.eta_horizon: FloatArray = np.zeros(n)
        self.cost_horizon: FloatArray = np.zeros(n)
        self.slot: IntArray = np.zeros(0, dtype=np.int64)
        self.officer: IntArray = np.zeros(0, dtype=np.int64)
        self.eta: FloatArray = np.zeros(0)
        self.local: BoolArray = np.zeros(0, dtype=np.bool_)
        self.neighbour: BoolArray = np.zeros(0, dtype=np.bool_)
        if n == 0 or m == 0:
            self.eta_horizon, self.cost_horizon = self.limit.copy(), self.full_cost.copy()  # nothing to search
            return
        self._geometry(demands, slot_demands, officers, speed, policy)
        self._rules(demands, slot_demands, officers, policy)

    @property
    def complete(self) -> BoolArray:
        """Slots whose every feasible officer is among the pairs."""
        done: BoolArray = (self.eta_horizon >= self.limit) | (self.cost_horizon >= self.full_cost)
        return done

    def reach(self, slots: IntArray, eta_s: FloatArray | float, cost_s: FloatArray | float) -> None:
        """Search `slots` up to these horizons (capped where the slot is complete); never shrinks."""
        if self._every_pair:
            eta_s = self.limit[slots]
        eta = np.minimum(np.maximum(eta_s, self.eta_horizon[slots]), self.limit[slots])
        cost = np.minimum(np.maximum(cost_s, self.cost_horizon[slots]), self.full_cost[slots])
        more = (eta > self.eta_horizon[slots]) | (cost > self.cost_horizon[slots])
        grow = slots[more]
        if grow.size == 0:
            return
        self.eta_horizon[grow], self.cost_horizon[grow] = eta[more], cost[more]
        slot, officer, found_eta = self._search(grow)
        if self.slot.size:  # the pairs found before, less those of the slots searched again
            keep = ~np.isin(self.slot, grow)
            slot = np.concatenate([self.slot[keep], slot])
            officer = np.concatenate([self.officer[keep], officer])
            found_eta = np.concatenate([self.eta[keep], found_eta])
        if slot.size > 1 and (slot[1:] < slot[:-1]).any():  # a first search by trees comes sorted
            # Stable, so each slot's officers stay in roster order: ties break as the dense argmin did.
            # Runs of slots already in order: timsort's, faster here than a radix sort.
            order = np.argsort(slot, kind="stable")
            slot, officer, found_eta = slot[order], officer[order], found_eta[order]
        self.slot, self.officer, self.eta = slot, officer, found_eta
        self.local, self.neighbour = self._districts(self.slot, self.officer)

    def complete_slots(self, slots: IntArray) -> None:
        """Search `slots` for every officer who may serve them."""
        self.reach(slots, self.limit[slots], self.cost_horizon[slots])

    def _geometry(self, demands: Sequence[Demand], slot_demands: list[Demand], officers: Sequence[Officer],
                  speed: FloatArray, policy: Policy) -> None:
        lat0 = math.radians(sum(d.location.lat for d in demands) / len(demands))
        scale = _EARTH_RADIUS_M * math.pi / 180.0

        def xy(points: list[GeoPoint]) -> tuple[FloatArray, FloatArray]:
            lon = np.array([p.lon for p in points], dtype=np.float64)
            lat = np.array([p.lat for p in points], dtype=np.float64)
            return lon * scale * math.cos(lat0), lat * scale

        # Equirectangular projection: within a subdistrict its error is far below the detour's.
        self._ix, self._iy = xy([d.location for d in slot_demands])
        self._ox, self._oy = xy([o.position for o in officers if o.position is not None])
        self._seconds_per_metre: FloatArray = policy.detour_factor / speed
        # Officers alike, found with integer codes: a tuple per officer would wake the garbage
        # collector, which then walks every live object (milliseconds at 5 000 officers).
        kind = _row_codes(self._tenant, self._department, self._skills)
        if not self._every_pair:  # trees answer one radius: mode and penalty split a group
            kind = _together(_together(kind, np.unique(speed, return_inverse=True)[1]),
                             np.unique(self.penalty, return_inverse=True)[1])
        _, first, code = np.unique(kind, return_index=True, return_inverse=True)
        by_group, ends = np.argsort(code, kind="stable"), np.cumsum(np.bincount(code)).tolist()
        members = [by_group[start:end] for start, end in zip([0, *ends[:-1]], ends, strict=True)]
        alike = {(self._tenant[j], self._department[j], 0.0 if self._every_pair else float(speed[j]), self._skills[j],
                  0.0 if self._every_pair else float(self.penalty[j])): index
                 for j, index in zip(first.tolist(), members, strict=True)}
        self._groups: dict[tuple[str, str], list[_Group]] = {}
        for (tenant, department, speed_mps, skills, penalty), index in alike.items():
            tree = None if self._every_pair else cKDTree(np.column_stack([self._ox[index], self._oy[index]]))
            group = _Group(skills, penalty, speed_mps / policy.detour_factor, index, tree)
            self._groups.setdefault((tenant, department), []).append(group)

    def _rules(self, demands: Sequence[Demand], slot_demands: list[Demand], officers: Sequence[Officer],
               policy: Policy) -> None:
        self._slot_key = [(d.tenant, need.department, need.skills)
                          for d, need in zip(slot_demands, self.slot_need, strict=True)]
        excluded: list[int] = []
        if any(d.excluded for d in demands):
            index = {o.id: j for j, o in enumerate(officers)}
            excluded = [s * self.officer_count + index[officer_id] for s, d in enumerate(slot_demands)
                        for officer_id in d.excluded if officer_id in index]
        self._excluded: IntArray = np.array(sorted(excluded), dtype=np.int64)
        slot_districts = [d.district for d in slot_demands]
        vocabulary: dict[str | None, int] = {None: -1}
        named = [d for d in dict.fromkeys(chain(slot_districts, self._district)) if d is not None]
        vocabulary.update((d, k) for k, d in enumerate(named))
        self._slot_district = np.fromiter(map(vocabulary.__getitem__, slot_districts), np.int64, len(slot_districts))
        self._officer_district = np.fromiter(map(vocabulary.__getitem__, self._district), np.int64, len(officers))
        self._next_door = np.zeros((len(vocabulary), len(vocabulary)), dtype=np.bool_)
        for district, code in vocabulary.items():
            for other in policy.neighbours.get(district, frozenset()) if district is not None else ():
                if other in vocabulary:
                    self._next_door[code, vocabulary[other]] = True

    def _search(self, slots: IntArray) -> tuple[IntArray, IntArray, FloatArray]:
        """The feasible pairs of `slots` within their horizons, each slot's in roster order."""
        if self._every_pair:
            return self._try_every_pair(slots)
        found_slot: list[IntArray] = []
        found_officer: list[IntArray] = []
        # Slots of one kind whose horizons are alike (within a factor of two) share one query.
        reach = np.maximum(self.eta_horizon[slots], self.cost_horizon[slots])
        alike = np.ceil(np.log2(np.maximum(reach, 1.0))).astype(np.int64).tolist()
        by_key: dict[tuple[str, str, frozenset[str], int], list[int]] = {}
        for s, bucket in zip(slots.tolist(), alike, strict=True):
            by_key.setdefault((*self._slot_key[s], bucket), []).append(s)
        for (tenant, department, skills, _), members in by_key.items():
            mine = np.array(members, dtype=np.int64)
            slot_tree = cKDTree(np.column_stack([self._ix[mine], self._iy[mine]]))
            eta_horizon, cost_horizon = float(self.eta_horizon[mine].max()), float(self.cost_horizon[mine].max())
            limit = float(self.limit[mine].max())
            for group in self._groups.get((tenant, department), []):
                if not skills <= group.skills:
                    continue
                # Within the ETA horizon, or within the cost horizon once the penalty is paid.
                seconds = min(max(eta_horizon, cost_horizon - group.penalty), limit)
                hits = slot_tree.sparse_distance_matrix(
                    group.tree, seconds * group.metres_per_second * (1 + _SLACK) + _SLACK, output_type="ndarray")
                found_slot.append(mine[hits["i"]])
                found_officer.append(group.members[hits["j"]])
        slot = np.concatenate(found_slot) if found_slot else np.zeros(0, dtype=np.int64)
        officer = np.concatenate(found_officer) if found_officer else np.zeros(0, dtype=np.int64)
        # The very operations of the dense matrix, pair by pair, so ETAs agree to the bit.
        eta = np.hypot(self._ix[slot] - self._ox[officer], self._iy[slot] - self._oy[officer])
        eta *= self._seconds_per_metre[officer]
        ok = self._within(slot, officer, eta)
        slot, officer, eta = slot[ok], officer[ok], eta[ok]
        by_officer = _stable_order(officer, self.officer_count)  # then by slot, stably: roster order within a slot
        order = by_officer[_stable_order(slot[by_officer], self.size)]
        return slot[order], officer[order], eta[order]

    def _try_every_pair(self, slots: IntArray) -> tuple[IntArray, IntArray, FloatArray]:
        """`_search` for small problems: one block of every slot × officer of its kind."""
        found: list[tuple[IntArray, IntArray, FloatArray]] = []
        by_key: dict[tuple[str, str, frozenset[str]], list[int]] = {}
        for s in slots.tolist():
            by_key.setdefault(self._slot_key[s], []).append(s)
        for (tenant, department, skills), members in by_key.items():
            groups = [g.members for g in self._groups.get((tenant, department), []) if skills <= g.skills]
            if not groups:
                continue
            mine, theirs = np.array(members, dtype=np.int64), np.sort(np.concatenate(groups))
            dx = np.subtract.outer(self._ix[mine], self._ox[theirs])
            dy = np.subtract.outer(self._iy[mine], self._oy[theirs])
            # np.hypot costs ~30 ns a pair, ten times a square: squares (with slack) sift out
            # the pairs beyond the arrival limit, and only the rest get the exact ETA.
            reach = (self.limit[mine] * (1 + _SLACK))[:, None] / self._seconds_per_metre[theirs][None, :]
            square = dx * dx
            square += dy * dy
            near = np.flatnonzero(square <= reach * reach)  # row by row: roster order within a slot
            r, c = np.divmod(near, theirs.size)
            slot, officer = mine[r], theirs[c]
            # The dense matrix's own operations, pair by pair, so ETAs agree to the bit.
            eta = np.hypot(dx.ravel()[near], dy.ravel()[near])
            eta *= self._seconds_per_metre[officer]
            ok = self._within(slot, officer, eta)
            found.append((slot[ok], officer[ok], eta[ok]))
        if not found:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0)
        return (np.concatenate([f[0] for f in found]), np.concatenate([f[1] for f in found]),
                np.concatenate([f[2] for f in found]))

    def _within(self, slot: IntArray, officer: IntArray, eta: FloatArray) -> BoolArray:
        """Pairs within the slot's horizons and arrival limit, and not excluded."""
        ok: BoolArray = (eta <= self.limit[slot]) & ((eta <= self.eta_horizon[slot])
                                                     | (eta + self.penalty[officer] <= self.cost_horizon[slot]))
        if self._excluded.size:
            ok &= ~np.isin(slot * self.officer_count + officer, self._excluded)
        return ok

    def _districts(self, slot: IntArray, officer: IntArray) -> tuple[BoolArray, BoolArray]:
        """Per pair: the officer is of the incident's district (or either is unknown), or of a neighbour."""
        mine, theirs = self._slot_district[slot], self._officer_district[officer]
        local: BoolArray = (mine < 0) | (theirs < 0) | (mine == theirs)
        neighbour: BoolArray = self._next_door[mine, theirs] & ~local
        return local, neighbour


def _stable_order(keys: IntArray, bound: int) -> IntArray:
    """The stable sorting order of `keys`, all below `bound`.

    Keys that fit 16 bits are sorted as such: numpy radix-sorts them, ~4 × faster than
    sorting 64-bit keys (the pairs' sort was ~5 % of a 1 000 × 5 000 match).
    """
    if bound <= np.iinfo(np.uint16).max:
        small: IntArray = np.argsort(keys.astype(np.uint16), kind="stable")
        return small
    order: IntArray = np.argsort(keys, kind="stable")
    return order


def _row_codes(*columns: Sequence[Hashable]) -> IntArray:
    """Each row's number across `columns`, the same number for equal rows.

    Two passes over a zip rather than a list of tuples: zip's tuples live one step each, so
    thousands of officers do not wake the garbage collector.
    """
    number = {row: k for k, row in enumerate(dict.fromkeys(zip(*columns, strict=True)))}
    return np.fromiter(map(number.__getitem__, zip(*columns, strict=True)), np.int64, len(columns[0]))


def _together(codes: IntArray, more: IntArray) -> IntArray:
    """One number per distinct pair of codes (mixed radix)."""
    together: IntArray = codes * (int(more.max(initial=0)) + 1) + more
    return together
