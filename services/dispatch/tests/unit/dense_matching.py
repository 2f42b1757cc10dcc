"""Today's dense matcher, kept verbatim as the reference the sparse matcher is checked against.

This is ``oneteam_dispatch.domain.matching`` as it was before candidates and the sparse
solver (every slot × every officer in one matrix, scipy's ``linear_sum_assignment``); only
the public types are imported from the domain instead of being defined here.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import numpy.typing as npt
from scipy.optimize import linear_sum_assignment  # type: ignore[import-untyped]

from oneteam_contracts import GeoPoint, QueueReason
from oneteam_dispatch.domain.matching import Decision, Demand, Pick, Policy
from oneteam_dispatch.domain.officers import Officer
from oneteam_dispatch.domain.responsibility import Need

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

_EARTH_RADIUS_M = 6371008.8
_INFEASIBLE = 1e12


@dataclass
class _Problem:
    """The arrays both policies work on: one row per (demand, need) slot, one column per officer."""

    slot_demand: list[int]
    slot_need: list[Need]
    eta: FloatArray  # seconds, slots × officers
    penalty: FloatArray  # workload and staleness, per officer
    feasible: BoolArray  # every rule except districts
    local: BoolArray  # officer is in the incident's district (or either's district is unknown)
    neighbour: BoolArray  # officer is in a neighbouring district
    bonus: FloatArray  # priority bonus per slot


def dense_match(demands: Sequence[Demand], officers: Sequence[Officer], now: datetime,
          policy: Policy | None = None) -> list[Decision]:
    """Match all `demands` together against `officers`; one decision per demand, in order."""
    return _decide(demands, officers, now, policy or Policy(), _solve_batch)


def dense_nearest_available(demands: Sequence[Demand], officers: Sequence[Officer], now: datetime,
                      policy: Policy | None = None) -> list[Decision]:
    """The baseline: each demand in turn (most urgent first) takes the nearest free officer."""
    return _decide(demands, officers, now, policy or Policy(), _solve_greedy)


Solver = Callable[[FloatArray, BoolArray, Sequence[int], FloatArray], dict[int, int]]


def _decide(demands: Sequence[Demand], officers: Sequence[Officer], now: datetime, policy: Policy,
            solve: Solver) -> list[Decision]:
    ready = [o for o in officers if o.can_take_orders(now)]
    problem = _build(demands, ready, now, policy)
    slots_of: dict[int, list[int]] = {d: [] for d in range(len(demands))}
    for s, d in enumerate(problem.slot_demand):
        slots_of[d].append(s)
    picks: dict[int, Pick] = {}
    open_demands = set(range(len(demands)))
    used: set[int] = set()
    for widened in (False, True):
        if not open_demands:
            break
        zone = problem.local | problem.neighbour if widened else problem.local
        slots = [s for d in sorted(open_demands) for s in slots_of[d]]
        allowed = problem.feasible & zone
        allowed[:, sorted(used)] = False
        cost = problem.eta + problem.penalty[None, :]
        if widened:
            np.add(cost, policy.boundary_penalty_s, out=cost, where=~problem.local)
        chosen = solve(cost, allowed, slots, problem.bonus)
        for waiting in sorted(open_demands):
            mine = slots_of[waiting]
            if not all(s in chosen for s in mine):
                continue  # a joint incident gets all its departments or waits whole
            open_demands.discard(waiting)
            for s in mine:
                j = chosen[s]
                used.add(j)
                picks[s] = _pick(problem, ready, s, j, cost, allowed,
                                 widened=widened and not bool(problem.local[s, j]))
    decisions = []
    for d, demand in enumerate(demands):
        mine = slots_of[d]
        if d in open_demands:
            decisions.append(Decision(demand.incident_id, (), *_why_nobody(problem, mine, demand)))
        else:
            decisions.append(Decision(demand.incident_id, tuple(picks[s] for s in mine)))
    return decisions


def _solve_batch(cost: FloatArray, allowed: BoolArray, slots: Sequence[int], bonus: FloatArray) -> dict[int, int]:
    if not slots:
        return {}
    rows = np.asarray(slots)
    every_row = rows.size == allowed.shape[0]
    row_allowed = allowed if every_row else allowed[rows]
    columns = np.flatnonzero(row_allowed.any(axis=0))
    if columns.size == 0:
        return {}
    # Only officers feasible for some slot take part; the rest would only slow the solver.
    sub_allowed = row_allowed[:, columns]
    sub = (cost if every_row else cost[rows])[:, columns] - bonus[rows][:, None]
    sub[~sub_allowed] = _INFEASIBLE
    row_ind, col_ind = linear_sum_assignment(sub)
    return {int(rows[r]): int(columns[c]) for r, c in zip(row_ind, col_ind, strict=True)
            if sub_allowed[r, c]}


def _solve_greedy(cost: FloatArray, allowed: BoolArray, slots: Sequence[int], bonus: FloatArray) -> dict[int, int]:
    taken: set[int] = set()
    chosen: dict[int, int] = {}
    if allowed.shape[1] == 0:
        return chosen
    # The most urgent first, the order of arrival within one priority (sorted() is stable).
    for s in sorted(slots, key=lambda s: -float(bonus[s])):
        row = np.where(allowed[s], cost[s], np.inf)
        if taken:
            row[list(taken)] = np.inf
        j = int(np.argmin(row))
        if math.isfinite(float(row[j])):
            chosen[s] = j
            taken.add(j)
    return chosen


def _pick(problem: _Problem, officers: Sequence[Officer], s: int, j: int, cost: FloatArray,
          allowed: BoolArray, *, widened: bool) -> Pick:
    row = np.where(allowed[s], problem.eta[s], np.inf)
    row[j] = np.inf
    k = int(np.argmin(row)) if row.size else -1
    runner_up = k if k >= 0 and math.isfinite(float(row[k])) else None
    return Pick(
        need=problem.slot_need[s], officer_id=officers[j].id, eta_s=round(float(problem.eta[s, j]), 1),
        cost_s=round(float(cost[s, j]), 1), widened=widened,
        runner_up_officer_id=officers[runner_up].id if runner_up is not None else None,
        runner_up_eta_s=round(float(problem.eta[s, runner_up]), 1) if runner_up is not None else None,
    )


def _why_nobody(problem: _Problem, slots: Sequence[int], demand: Demand) -> tuple[str, QueueReason]:
    if not slots:
        return ("the responsibility list names no department for this incident",
                QueueReason.NO_RESPONSIBILITY_ENTRY)
    missing = [problem.slot_need[s].department for s in slots
               if not (problem.feasible[s] & (problem.local[s] | problem.neighbour[s])).any()]
    if missing:
        return (f"no available officer of {', '.join(sorted(set(missing)))} can arrive within "
                f"{demand.arrive_within_s / 60:.0f} min, neighbouring districts included",
                QueueReason.NO_OFFICER_IN_REACH)
    return ("every officer who could arrive in time is taken by more urgent or closer incidents",
            QueueReason.OFFICERS_TAKEN)


def _build(demands: Sequence[Demand], officers: Sequence[Officer], now: datetime, policy: Policy) -> _Problem:
    slot_demand = [d for d, demand in enumerate(demands) for _ in demand.needs]
    slot_need = [need for demand in demands for need in demand.needs]
    n, m = len(slot_demand), len(officers)
    if n == 0 or m == 0:
        empty = np.zeros((n, m), dtype=np.float64)
        none = np.zeros((n, m), dtype=np.bool_)
        return _Problem(slot_demand, slot_need, empty, np.zeros(m), none, none, none,
                        np.zeros(n))
    lat0 = math.radians(sum(d.location.lat for d in demands) / len(demands))
    scale = _EARTH_RADIUS_M * math.pi / 180.0

    def xy(points: list[GeoPoint]) -> tuple[FloatArray, FloatArray]:
        lon = np.fromiter((p.lon for p in points), np.float64, len(points))
        lat = np.fromiter((p.lat for p in points), np.float64, len(points))
        return lon * scale * math.cos(lat0), lat * scale

    # Equirectangular projection: within a subdistrict its error is far below the detour's.
    ix, iy = xy([demands[d].location for d in slot_demand])
    ox, oy = xy([o.position for o in officers if o.position is not None])
    # In place, so 1 000 × 5 000 costs two matrices of memory rather than five.
    eta = np.subtract.outer(ix, ox)
    dy = np.subtract.outer(iy, oy)
    np.hypot(eta, dy, out=eta)
    del dy
    speed = np.fromiter((policy.speeds_mps[o.mode] for o in officers), np.float64, m)
    eta *= (policy.detour_factor / speed)[None, :]

    penalty = np.fromiter(
        (policy.workload_penalty_s * o.active_orders
         + (policy.stale_penalty_s if o.position_is_stale(now, policy.stale_after) else 0.0)
         for o in officers), np.float64, m)

    feasible = _codes_equal([demands[d].tenant for d in slot_demand], [o.tenant for o in officers])
    feasible &= _codes_equal([need.department for need in slot_need], [o.department for o in officers])
    feasible &= _has_skills(slot_need, officers)
    feasible &= eta <= np.fromiter((demands[d].arrive_within_s for d in slot_demand), np.float64, n)[:, None]
    officer_index = {o.id: j for j, o in enumerate(officers)}
    for s, d in enumerate(slot_demand):
        for officer_id in demands[d].excluded:
            if officer_id in officer_index:
                feasible[s, officer_index[officer_id]] = False

    local, neighbour = _district_relations([demands[d].district for d in slot_demand],
                                           [o.district for o in officers], policy.neighbours)
    bonus = np.fromiter((policy.priority_bonus_s.get(demands[d].priority, 0.0) for d in slot_demand),
                        np.float64, n)
    return _Problem(slot_demand, slot_need, eta, penalty, feasible, local, neighbour, bonus)


def _codes_equal(rows: list[str], columns: list[str]) -> BoolArray:
    vocabulary: dict[str, int] = {}
    r = np.fromiter((vocabulary.setdefault(v, len(vocabulary)) for v in rows), np.int64, len(rows))
    c = np.fromiter((vocabulary.get(v, -1) for v in columns), np.int64, len(columns))
    result: BoolArray = r[:, None] == c[None, :]
    return result


def _has_skills(needs: list[Need], officers: Sequence[Officer]) -> BoolArray:
    wanted = sorted({skill for need in needs for skill in need.skills})
    if not wanted:
        return np.ones((len(needs), len(officers)), dtype=np.bool_)
    # One bit per skill somebody needs; an officer fits when no needed bit is missing.
    have = np.zeros((len(officers), len(wanted)), dtype=np.bool_)
    need = np.zeros((len(needs), len(wanted)), dtype=np.bool_)
    position = {skill: k for k, skill in enumerate(wanted)}
    for j, officer in enumerate(officers):
        for skill in officer.skills:
            if skill in position:
                have[j, position[skill]] = True
    for s, n in enumerate(needs):
        for skill in n.skills:
            need[s, position[skill]] = True
    missing = need.astype(np.int64) @ (~have).astype(np.int64).T
    result: BoolArray = missing == 0
    return result


def _district_relations(rows: list[str | None], columns: list[str | None],
                        neighbours: Mapping[str, frozenset[str]]) -> tuple[BoolArray, BoolArray]:
    shape = (len(rows), len(columns))
    local = np.zeros(shape, dtype=np.bool_)
    neighbour = np.zeros(shape, dtype=np.bool_)
    by_district: dict[str | None, list[int]] = {}
    for j, district in enumerate(columns):
        by_district.setdefault(district, []).append(j)
    unknown_columns = by_district.get(None, [])
    for s, district in enumerate(rows):
        if district is None:
            local[s, :] = True
            continue
        local[s, by_district.get(district, [])] = True
        local[s, unknown_columns] = True
        for other in neighbours.get(district, frozenset()):
            neighbour[s, by_district.get(other, [])] = True
    return local, neighbour & ~local
