"""The roster matcher reads holds every officer matching could choose, so decisions do not change.

The cases are the equivalence test's: seeded rosters and demands with every rule in play.
"""

from __future__ import annotations

import random
from dataclasses import replace
from uuid import uuid4

import numpy as np
import pytest

from oneteam_contracts import GeoPoint
from oneteam_dispatch.domain.matching import Demand, Policy, match
from oneteam_dispatch.domain.officers import OfficerStatus, TravelMode
from oneteam_dispatch.domain.reach import reachable, reaches, within
from oneteam_dispatch.domain.responsibility import Need

from . import dense_matching
from .factories import NOW, officer
from .test_matching_equivalence import POLICY, roster, waiting


@pytest.mark.parametrize("seed", range(60))
def test_matching_only_the_reachable_officers_decides_as_matching_the_whole_roster(seed: int) -> None:
    rng = random.Random(seed)
    km = rng.choice([0.5, 1.5, 3.0, 12.0])
    officers = roster(rng, rng.randint(0, 120), km, varied=True)
    demands = waiting(rng, rng.randint(0, 40), km, officers, varied=True)

    read = reachable(officers, reaches(demands, POLICY))

    assert match(demands, read, NOW, POLICY) == match(demands, officers, NOW, POLICY)


@pytest.mark.parametrize(("n", "m", "km", "seed"), [(1, 7750, 3.0, 1), (3, 7750, 3.0, 2), (100, 500, 3.0, 3),
                                                    (40, 2000, 12.0, 4)])
def test_the_benchmarks_shapes_decide_alike_from_a_fraction_of_the_roster(n: int, m: int, km: float,
                                                                          seed: int) -> None:
    rng = random.Random(seed)
    officers = roster(rng, m, km, varied=False)
    demands = waiting(rng, n, km, officers, varied=False)

    read = reachable(officers, reaches(demands, Policy()))

    assert match(demands, read, NOW) == match(demands, officers, NOW)
    if n <= 3:  # one batch at a low report rate: a small share of a city's roster
        assert len(read) < m / 2


@pytest.mark.parametrize("seed", range(10))
def test_every_officer_with_a_feasible_pair_is_read_even_exactly_at_the_limit(seed: int) -> None:
    rng = random.Random(seed)
    officers = roster(rng, 300, 6.0, varied=True)
    demands = waiting(rng, 20, 6.0, officers, varied=True)
    eta = dense_matching._build(demands, officers, NOW, POLICY).eta
    # Each demand's limit is one officer's exact ETA: that officer is still feasible.
    demands = [replace(d, arrive_within_s=float(eta[k, rng.randrange(len(officers))])) for k, d in enumerate(demands)]
    feasible = dense_matching._build(demands, officers, NOW, POLICY).feasible

    read = {o.id for o in reachable(officers, reaches(demands, POLICY))}

    assert {officers[j].id for j in np.flatnonzero(feasible.any(axis=0))} <= read


def test_a_far_officer_is_read_when_the_arrival_limit_lets_them_come() -> None:
    site = GeoPoint(lon=120.12, lat=30.29)
    four_km_east = GeoPoint(lon=120.12 + 4000 / 96_200, lat=30.29)
    far_by_car = officer("far-car", four_km_east, mode=TravelMode.CAR)
    far_on_foot = officer("far-foot", four_km_east, mode=TravelMode.ON_FOOT)
    twenty_minutes = Demand(uuid4(), far_by_car.tenant, site, (Need("comprehensive_enforcement"),),
                            arrive_within_s=1200.0)

    read = reachable([far_by_car, far_on_foot], reaches([twenty_minutes], Policy()))
    [decision] = match([twenty_minutes], read, NOW)

    assert [o.id for o in read] == ["far-car"]  # 4 km by car in 20 min; on foot it takes 69
    assert decision.officer_ids == ["far-car"]
    assert far_by_car.status is OfficerStatus.AVAILABLE


def test_an_endless_arrival_limit_reaches_every_position() -> None:
    anywhere = officer("anywhere", GeoPoint(lon=-70.0, lat=-40.0))
    demand = Demand(uuid4(), anywhere.tenant, GeoPoint(lon=120.12, lat=30.29), (Need("comprehensive_enforcement"),),
                    arrive_within_s=float("inf"))

    assert reachable([anywhere], reaches([demand], Policy())) == [anywhere]


@pytest.mark.parametrize("seed", range(60))
def test_the_vectorised_filter_keeps_exactly_the_officers_the_loop_keeps(seed: int) -> None:
    rng = random.Random(seed)
    km = rng.choice([0.5, 1.5, 3.0, 12.0])
    officers = roster(rng, rng.randint(0, 300), km, varied=True)
    if officers and rng.random() < 0.5:  # some without a position
        officers[0] = replace(officers[0], position=None)
    demands = waiting(rng, rng.randint(0, 30), km, officers, varied=True)
    reach = reaches(demands, POLICY)

    assert within(officers, reach) == reachable(officers, reach)
