"""The sparse matcher decides exactly as the dense solver it replaced, and only feasibly.

Seeded random cases: the benchmark's shapes (officers spread over Cuiyuan, one department)
and small crowded ones that exercise every rule at once (two tenants, two departments,
joint work, skills, districts and neighbours, exclusions, busy and stale officers, short
and long arrival limits, fewer officers than needs). ``dense_matching`` is the old solver,
kept verbatim as the reference.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import replace
from datetime import timedelta
from uuid import UUID

import numpy as np
import pytest

from oneteam_contracts import GeoPoint, Priority
from oneteam_dispatch.domain.candidates import Candidates, _stable_order
from oneteam_dispatch.domain.matching import Decision, Demand, Policy, match, nearest_available
from oneteam_dispatch.domain.officers import Officer, OfficerStatus, TravelMode
from oneteam_dispatch.domain.responsibility import Need

from . import dense_matching
from .dense_matching import dense_match, dense_nearest_available
from .factories import NOW

TENANTS = ("330106004", "330106005")
DEPARTMENTS = ("comprehensive_enforcement", "market_regulation")
SKILLS = ("street_order", "food_safety", "fire_safety")
DISTRICTS = (None, "D01", "D02", "D03", "D04")
POLICY = Policy(neighbours={"D01": frozenset({"D02"}), "D02": frozenset({"D01", "D03"}),
                            "D03": frozenset({"D02", "D04"}), "D04": frozenset({"D03"})})


def spot(rng: random.Random, km: float) -> GeoPoint:
    """A point in a `km` × `km` square of Cuiyuan."""
    return GeoPoint(lon=120.110 + rng.uniform(0, km / 96.2), lat=30.278 + rng.uniform(0, km / 111.2))


def roster(rng: random.Random, m: int, km: float, *, varied: bool) -> list[Officer]:
    return [Officer(id=f"o{i:05d}", tenant=rng.choice(TENANTS) if varied else TENANTS[0], name=f"o{i}", team=None,
                    status=rng.choice([OfficerStatus.AVAILABLE] * 5 + [OfficerStatus.ON_SCENE]) if varied
                    else OfficerStatus.AVAILABLE,
                    position=spot(rng, km), last_assigned_at=None,
                    department=rng.choice(DEPARTMENTS) if varied else DEPARTMENTS[0],
                    district=rng.choice(DISTRICTS) if varied else None,
                    skills=frozenset(rng.sample(SKILLS, rng.randint(0 if varied else 1, 2))),
                    mode=rng.choice(list(TravelMode)), position_at=NOW - timedelta(seconds=rng.uniform(0, 400)),
                    active_orders=rng.randint(0, 3 if varied else 1))
            for i in range(m)]


def waiting(rng: random.Random, n: int, km: float, officers: Sequence[Officer], *, varied: bool) -> list[Demand]:
    def need() -> Need:
        return Need(rng.choice(DEPARTMENTS) if varied else DEPARTMENTS[0],
                    frozenset(rng.sample(SKILLS, rng.randint(0, 1)) if varied else {rng.choice(SKILLS)}))

    demands = []
    for k in range(n):
        needs = tuple({n.department: n for n in (need() for _ in range(rng.choice([1, 1, 1, 2])))}.values())
        excluded = frozenset(o.id for o in rng.sample(list(officers), min(len(officers), rng.randint(0, 3))))
        demands.append(Demand(UUID(int=rng.getrandbits(128)), rng.choice(TENANTS) if varied else TENANTS[0],
                              spot(rng, km), needs if varied else (need(),),
                              rng.choice(DISTRICTS) if varied else None, rng.choice(list(Priority)),
                              rng.choice([120.0, 300.0, 600.0]) if varied else 300.0,
                              excluded if varied and k % 3 == 0 else frozenset()))
    return demands


def assert_feasible(decisions: list[Decision], demands: Sequence[Demand], officers: Sequence[Officer]) -> None:
    by_id = {o.id: o for o in officers}
    sent = [p.officer_id for d in decisions for p in d.picks]
    assert len(sent) == len(set(sent)), "an officer was sent twice"
    for decision, demand in zip(decisions, demands, strict=True):
        for pick in decision.picks:
            chosen = by_id[pick.officer_id]
            assert chosen.can_take_orders(NOW) and chosen.tenant == demand.tenant
            assert chosen.department == pick.need.department and pick.need.skills <= chosen.skills
            assert pick.officer_id not in demand.excluded and pick.eta_s <= demand.arrive_within_s + 0.05


def total_cost(decisions: list[Decision]) -> tuple[int, float]:
    return sum(d.assigned for d in decisions), sum(p.cost_s for d in decisions for p in d.picks)


@pytest.mark.parametrize("seed", range(60))
def test_sparse_matching_decides_as_the_dense_solver_on_crowded_mixed_cases(seed: int) -> None:
    rng = random.Random(seed)
    km = rng.choice([0.5, 1.5, 3.0])
    officers = roster(rng, rng.randint(0, 120), km, varied=True)
    demands = waiting(rng, rng.randint(0, 40), km, officers, varied=True)

    sparse = match(demands, officers, NOW, POLICY)

    assert sparse == dense_match(demands, officers, NOW, POLICY)
    assert_feasible(sparse, demands, officers)
    assert nearest_available(demands, officers, NOW, POLICY) == dense_nearest_available(demands, officers, NOW,
                                                                                          POLICY)


@pytest.mark.parametrize(("n", "m", "km", "seed"), [(300, 400, 3.0, 5), (200, 1000, 3.0, 6), (250, 2000, 6.0, 7)])
def test_sparse_matching_decides_as_the_dense_solver_on_large_mixed_cases(n: int, m: int, km: float,
                                                                           seed: int) -> None:
    # Large enough for the spatial index and the proofs (slots x officers over 100 000), with
    # every rule in play; scarce (fewer than two officers per need) and plentiful.
    rng = random.Random(seed)
    officers = roster(rng, m, km, varied=True)
    demands = waiting(rng, n, km, officers, varied=True)

    sparse = match(demands, officers, NOW, POLICY)

    assert sparse == dense_match(demands, officers, NOW, POLICY)
    assert_feasible(sparse, demands, officers)


@pytest.mark.parametrize(("n", "m", "seed"), [(100, 500, 1), (100, 500, 2), (100, 500, 3), (1000, 5000, 4)])
def test_sparse_matching_decides_as_the_dense_solver_on_the_benchmarks_shapes(n: int, m: int, seed: int) -> None:
    rng = random.Random(seed)
    officers = roster(rng, m, 3.0, varied=False)
    demands = waiting(rng, n, 3.0, officers, varied=False)

    sparse, dense = match(demands, officers, NOW), dense_match(demands, officers, NOW)

    assert total_cost(sparse) == total_cost(dense)
    assert sparse == dense
    assert_feasible(sparse, demands, officers)


@pytest.mark.parametrize("m", [400, 3000])  # every pair tried (40 x 400); the spatial index (40 x 3 000)
def test_an_officer_exactly_at_the_arrival_limit_is_a_candidate_as_in_the_dense_matrix(m: int) -> None:
    # Each incident's limit is set to one officer's exact ETA: the dense matrix keeps that pair
    # (ETA <= limit), so the search must too, however it sifts by distance first.
    rng = random.Random(m)
    officers = roster(rng, m, 3.0, varied=False)
    demands = waiting(rng, 40, 3.0, officers, varied=False)
    eta = dense_matching._build(demands, officers, NOW, POLICY).eta
    edge = [rng.randrange(m) for _ in demands]
    demands = [replace(d, arrive_within_s=float(eta[k, j])) for k, (d, j) in enumerate(zip(demands, edge, strict=True))]

    found = Candidates(demands, officers, NOW, POLICY)
    found.complete_slots(np.arange(found.size))
    dense = dense_matching._build(demands, officers, NOW, POLICY)

    pairs = dict(zip(zip(found.slot.tolist(), found.officer.tolist(), strict=True), found.eta.tolist(), strict=True))
    rows, columns = np.nonzero(dense.feasible)
    assert pairs == {(s, j): float(dense.eta[s, j]) for s, j in zip(rows.tolist(), columns.tolist(), strict=True)}
    assert all((k, j) in pairs for k, j in enumerate(edge) if demands[k].needs[0].skills <= officers[j].skills)


@pytest.mark.parametrize("bound", [1_000, 70_000])  # keys radix-sorted as 16 bits; keys too wide for that
def test_pairs_are_ordered_stably_whatever_the_width_of_their_keys(bound: int) -> None:
    # Each slot's officers must stay in roster order: the dense argmin broke ties that way.
    keys = np.random.default_rng(bound).integers(0, bound, 5_000)
    keys[::7] = keys[0]  # many equal keys: their order is what stability means

    assert _stable_order(keys, bound).tolist() == np.argsort(keys, kind="stable").tolist()
