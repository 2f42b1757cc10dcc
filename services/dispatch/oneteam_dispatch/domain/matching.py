"""Choosing officers for waiting incidents: batch matching and a one-by-one baseline.

Incidents that wait at the same moment are matched together as an assignment problem, so
two incidents never both grab the one officer nearby while a second officer could have
served one of them. Each incident needs one officer per ``Need`` (one per department for
joint work). The cost of an officer for a need is the estimated travel time plus penalties
for workload, a stale position and crossing a district boundary; pairs that break a rule
(wrong department, missing skill, another tenant, beyond the arrival limit) are
infeasible. Officers of the incident's own district are tried first, then neighbouring
districts; who is still unserved goes to the command centre's queue.

At a city's size (1 000 incidents × 5 000 officers) the pairs are not all looked at:
``candidates`` finds each need's officers within a short ETA horizon with a spatial index,
``assignment`` solves the sparse problem and prices its rows, and a need whose price does
not prove that farther officers could not do better is searched further, up to its arrival
limit. The answer is the one the dense matrix gave. Pure: no I/O, time comes in as ``now``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from uuid import UUID

import numpy as np
import numpy.typing as npt

from oneteam_contracts import GeoPoint, Priority, QueueReason
from oneteam_dispatch.domain.assignment import assign
from oneteam_dispatch.domain.candidates import Candidates
from oneteam_dispatch.domain.officers import Officer, TravelMode
from oneteam_dispatch.domain.responsibility import Need

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

# How far the first search reaches: officers within this ETA (enough to name the runner-up)
# and, penalties included, within this cost (enough to prove most choices). Chosen ETAs in
# a subdistrict are mostly under a minute; a need that cannot prove its choice searches as
# far as its price says, a runner-up not found looks as far as the arrival limit
# (tests/bench/matching.py measures the trade).
FIRST_ETA_HORIZON_S = 45.0
FIRST_COST_HORIZON_S = 120.0
# Short horizons pay when officers are plentiful; with fewer than this many free officers per
# need, competition prices most needs beyond them and every extra solve costs more than it saves.
PLENTY = 2


@dataclass(frozen=True)
class Policy:
    """The knobs of matching; defaults suit an urban subdistrict such as Cuiyuan."""

    # Effective urban speeds, metres per second, traffic lights and parking included.
    speeds_mps: Mapping[TravelMode, float] = field(default_factory=lambda: {
        TravelMode.ON_FOOT: 1.3, TravelMode.E_BIKE: 4.5, TravelMode.CAR: 6.5})
    # Streets are not straight lines: road distance ≈ 1.3-1.4 × great-circle in Chinese cities.
    detour_factor: float = 1.35
    workload_penalty_s: float = 60.0  # per order the officer already holds
    stale_after: timedelta = timedelta(minutes=3)
    stale_penalty_s: float = 90.0  # an old fix may be far from where the officer is now
    boundary_penalty_s: float = 60.0  # crossing into a neighbouring district's patch
    neighbours: Mapping[str, frozenset[str]] = field(default_factory=dict)
    # Subtracted from costs so that, when officers are scarce, urgent incidents are served first.
    priority_bonus_s: Mapping[Priority, float] = field(default_factory=lambda: {
        Priority.LOW: 0.0, Priority.NORMAL: 100.0, Priority.HIGH: 400.0, Priority.URGENT: 1000.0})


@dataclass(frozen=True)
class Demand:
    """An incident waiting for officers."""

    incident_id: UUID
    tenant: str
    location: GeoPoint
    needs: tuple[Need, ...]
    district: str | None = None
    priority: Priority = Priority.NORMAL
    arrive_within_s: float = 300.0  # the "5" of 1-3-5-8 unless the SLA profile says otherwise
    excluded: frozenset[str] = frozenset()  # officers who already let this incident down


@dataclass(frozen=True)
class Pick:
    """One officer chosen for one need, and the reasons."""

    need: Need
    officer_id: str
    eta_s: float
    cost_s: float
    widened: bool
    runner_up_officer_id: str | None
    runner_up_eta_s: float | None


@dataclass(frozen=True)
class Decision:
    """The outcome for one demand: officers (one per need) or the command centre's queue."""

    incident_id: UUID
    picks: tuple[Pick, ...]
    queued_reason: str | None = None
    queued_code: QueueReason | None = None  # the same, as a code fit for a published event

    @property
    def assigned(self) -> bool:
        """Whether every need got an officer."""
        return self.queued_reason is None

    @property
    def officer_ids(self) -> list[str]:
        """The chosen officers, lead first."""
        return [p.officer_id for p in self.picks]

    def reason(self) -> str:
        """Why these officers (or why nobody), for the supervisor."""
        if self.queued_reason is not None:
            return self.queued_reason
        parts = []
        for p in self.picks:
            text = f"{p.officer_id} ({p.need.department}) ETA {p.eta_s:.0f} s"
            if p.widened:
                text += " from a neighbouring district"
            if p.runner_up_officer_id is not None and p.runner_up_eta_s is not None:
                text += f"; runner-up {p.runner_up_officer_id} ETA {p.runner_up_eta_s:.0f} s"
            else:
                text += "; no runner-up"
            parts.append(text)
        return " | ".join(parts)



@dataclass(frozen=True)
class _Round:
    """One pass over the open incidents: own district only, or widened to the neighbours."""

    widened: bool
    used: BoolArray  # officers taken by earlier passes


def match(demands: Sequence[Demand], officers: Sequence[Officer], now: datetime,
          policy: Policy | None = None) -> list[Decision]:
    """Match all `demands` together against `officers`; one decision per demand, in order."""
    return _decide(demands, officers, now, policy or Policy(), _solve_batch)


def nearest_available(demands: Sequence[Demand], officers: Sequence[Officer], now: datetime,
                      policy: Policy | None = None) -> list[Decision]:
    """The baseline: each demand in turn (most urgent first) takes the nearest free officer."""
    return _decide(demands, officers, now, policy or Policy(), _solve_greedy)


# A solver answers, per slot of the problem, the officer it chose or -1 (slots not asked: -1).
Solver = Callable[[Candidates, IntArray, _Round, Policy], IntArray]


def _decide(demands: Sequence[Demand], officers: Sequence[Officer], now: datetime, policy: Policy,
            solve: Solver) -> list[Decision]:
    ready = [o for o in officers if o.can_take_orders(now)]
    found = Candidates(demands, ready, now, policy)
    # A demand's slots are consecutive: demand d owns slots first[d] to first[d + 1] - 1. Arrays
    # rather than a list per demand: fewer objects, fewer wake-ups of the garbage collector.
    first = np.searchsorted(found.slot_demand, np.arange(len(demands) + 1)).tolist()
    needs = np.bincount(found.slot_demand, minlength=len(demands))
    picks: list[Pick | None] = [None] * found.size
    waiting = np.ones(len(demands), dtype=np.bool_)
    used = np.zeros(len(ready), dtype=np.bool_)
    for widened in (False, True):
        if not waiting.any():
            break
        slots = np.flatnonzero(waiting[found.slot_demand])
        this_round = _Round(widened, used.copy())
        chosen = solve(found, slots, this_round, policy)
        # A joint incident gets all its departments or waits whole.
        served = waiting & (np.bincount(found.slot_demand[chosen >= 0], minlength=len(demands)) == needs)
        served_slots = np.flatnonzero(served[found.slot_demand])
        officer_of = chosen[served_slots]
        used[officer_of] = True
        for s, pick in zip(served_slots.tolist(), _picks(found, ready, served_slots, officer_of, this_round, policy),
                           strict=True):
            picks[s] = pick
        waiting &= ~served
    # "Nobody in reach" must be true of everyone: search the queued to their limits, at once.
    found.complete_slots(np.flatnonzero(waiting[found.slot_demand]))
    in_reach = np.zeros(found.size, dtype=np.bool_)
    in_reach[found.slot[found.local | found.neighbour]] = True
    decisions = []
    for d, (demand, still_waiting) in enumerate(zip(demands, waiting.tolist(), strict=True)):
        if still_waiting:
            decisions.append(Decision(demand.incident_id, (),
                                      *_why_nobody(found, range(first[d], first[d + 1]), demand, in_reach)))
        else:
            decisions.append(Decision(demand.incident_id, tuple(filter(None, picks[first[d]:first[d + 1]]))))
    return decisions


def _allowed(found: Candidates, slots: IntArray, this_round: _Round) -> IntArray:
    """The pairs of `slots` this round may use."""
    member = np.zeros(found.size, dtype=np.bool_)
    member[slots] = True
    zone = found.local | found.neighbour if this_round.widened else found.local
    pairs: IntArray = np.flatnonzero(member[found.slot] & zone & ~this_round.used[found.officer])
    return pairs


def _cost(found: Candidates, pairs: IntArray, this_round: _Round, policy: Policy) -> FloatArray:
    """Seconds: travel, workload and staleness, and crossing into a neighbouring district."""
    cost: FloatArray = found.eta[pairs] + found.penalty[found.officer[pairs]]
    if this_round.widened:
        np.add(cost, policy.boundary_penalty_s, out=cost, where=~found.local[pairs])
    return cost


def _solve_batch(found: Candidates, slots: IntArray, this_round: _Round, policy: Policy) -> IntArray:
    chosen = np.full(found.size, -1, dtype=np.int64)
    if not slots.size:
        return chosen
    if np.count_nonzero(~this_round.used) >= PLENTY * slots.size:
        found.reach(slots, FIRST_ETA_HORIZON_S, FIRST_COST_HORIZON_S)
    else:  # officers are scarce: most needs would have to look to their limit anyway
        found.complete_slots(slots)
    row_of = np.full(found.size, -1, dtype=np.int64)
    row_of[slots] = np.arange(slots.size)
    free = found.penalty[~this_round.used]
    cheapest_penalty = float(free.min()) if free.size else 0.0
    bonus = found.bonus[slots]
    # Every cost, of pairs seen or not, lies between these: what the prices are valid for.
    bounds = (-float(bonus.max()), float(found.full_cost[slots].max()) + policy.boundary_penalty_s)
    while True:
        pairs = _allowed(found, slots, this_round)
        slot = found.slot[pairs]
        unsure = ~found.complete[slots]
        result = assign(row_of[slot], found.officer[pairs], _cost(found, pairs, this_round, policy) - found.bonus[slot],
                        (slots.size, found.officer_count), bounds, priced=bool(unsure.any()))
        if result.price is not None:
            # A pair not searched costs more than either horizon allows, less the bonus; a row
            # priced no higher cannot gain from it (LP duality), so its choice is proven.
            floor = np.maximum(found.cost_horizon[slots], found.eta_horizon[slots] + cheapest_penalty) - bonus
            unsure &= result.price > floor
        if not unsure.any():
            chosen[slots] = result.column
            return chosen
        further = 2 * found.cost_horizon[slots[unsure]]
        if result.price is not None:  # the price says how far the proof needs to look
            further = np.maximum(further, result.price[unsure] + bonus[unsure])
        found.reach(slots[unsure], 0.0, further)


def _solve_greedy(found: Candidates, slots: IntArray, this_round: _Round, policy: Policy) -> IntArray:
    found.complete_slots(slots)  # the nearest of all, not of the first few
    pairs = _allowed(found, slots, this_round)
    cost = _cost(found, pairs, this_round, policy)
    slot, officer = found.slot[pairs], found.officer[pairs]
    taken = np.zeros(found.officer_count, dtype=np.bool_)
    chosen = np.full(found.size, -1, dtype=np.int64)
    # The most urgent first, the order of arrival within one priority (sorted() is stable).
    for s in sorted(slots.tolist(), key=lambda s: -float(found.bonus[s])):
        lo, hi = np.searchsorted(slot, [s, s + 1])
        row = np.where(taken[officer[lo:hi]], np.inf, cost[lo:hi])
        if row.size and np.isfinite(row.min()):
            j = int(officer[lo + int(np.argmin(row))])  # ties: the first officer, as before
            chosen[s] = j
            taken[j] = True
    return chosen


def _runner_ups(found: Candidates, slots: IntArray, officer_of: IntArray, this_round: _Round) -> IntArray:
    """Per slot, the pair of the nearest other officer it was allowed, or -1."""
    pairs = _allowed(found, slots, this_round)
    chosen = np.full(found.size, -1, dtype=np.int64)
    chosen[slots] = officer_of
    pairs = pairs[found.officer[pairs] != chosen[found.slot[pairs]]]
    # The nearest per slot; among equals the first in roster order, as the dense argmin chose.
    nearest = np.full(found.size, np.inf)
    np.minimum.at(nearest, found.slot[pairs], found.eta[pairs])
    ties = pairs[found.eta[pairs] == nearest[found.slot[pairs]]]
    # Pairs run by slot, then in roster order: a slot's first tie is where the slot changes.
    tie_slots = found.slot[ties]
    first = np.flatnonzero(np.diff(tie_slots, prepend=-1))
    best = np.full(found.size, -1, dtype=np.int64)
    best[tie_slots[first]] = ties[first]
    runner_up: IntArray = best[slots]
    return runner_up


def _picks(found: Candidates, officers: Sequence[Officer], slots: IntArray, officer_of: IntArray,
           this_round: _Round, policy: Policy) -> list[Pick]:
    runner_up = _runner_ups(found, slots, officer_of, this_round)
    # Nearer than the ETA horizon, it is the runner-up of all; otherwise look up to the limit.
    unproven = (runner_up < 0) | (found.eta[runner_up] > found.eta_horizon[slots])
    unproven &= ~found.complete[slots]
    if unproven.any():
        found.complete_slots(slots[unproven])
        runner_up = _runner_ups(found, slots, officer_of, this_round)
    keys = found.slot * found.officer_count + found.officer
    at = np.searchsorted(keys, slots * found.officer_count + officer_of)
    cost = _cost(found, at, this_round, policy)
    widened = this_round.widened & ~found.local[at]
    # Python floats and ints from whole arrays at once: indexing an array one item at a time
    # costs more than the rest of a pick.
    second = np.where(runner_up >= 0, found.officer[runner_up], -1).tolist()
    return [Pick(need=found.slot_need[s], officer_id=officers[j].id, eta_s=round(e, 1), cost_s=round(c, 1),
                 widened=w, runner_up_officer_id=officers[k].id if k >= 0 else None,
                 runner_up_eta_s=round(f, 1) if k >= 0 else None)
            for s, j, e, c, w, k, f in zip(slots.tolist(), officer_of.tolist(), found.eta[at].tolist(), cost.tolist(),
                                           widened.tolist(), second, found.eta[runner_up].tolist(), strict=True)]


def _why_nobody(found: Candidates, slots: Sequence[int], demand: Demand,
                in_reach: BoolArray) -> tuple[str, QueueReason]:
    if not slots:
        return ("the responsibility list names no department for this incident",
                QueueReason.NO_RESPONSIBILITY_ENTRY)
    missing = [found.slot_need[s].department for s in slots if not in_reach[s]]
    if missing:
        return (f"no available officer of {', '.join(sorted(set(missing)))} can arrive within "
                f"{demand.arrive_within_s / 60:.0f} min, neighbouring districts included",
                QueueReason.NO_OFFICER_IN_REACH)
    return ("every officer who could arrive in time is taken by more urgent or closer incidents",
            QueueReason.OFFICERS_TAKEN)
