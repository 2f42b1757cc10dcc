"""Matching time of the pure matcher: batch (assignment problem) against nearest-available, one by one.

Runs standalone, no server: ``.venv/bin/python tests/bench/matching.py``. Incidents and
officers are spread over Cuiyuan's ~3 × 2.7 km; each size is matched several times with
fresh positions and the p50/p99 of the wall time is printed with how many incidents each
policy served and their mean ETA.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from datetime import UTC, datetime, timedelta
from uuid import uuid4

from bench_stats import percentile

from oneteam_contracts import GeoPoint, Priority
from oneteam_dispatch.domain.matching import Decision, Demand, match, nearest_available
from oneteam_dispatch.domain.officers import Officer, OfficerStatus, TravelMode
from oneteam_dispatch.domain.responsibility import Need

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
TENANT = "330106004"
DISTRICTS = [f"D0{i}" for i in range(1, 9)]
SKILLS = ["street_order", "food_safety", "fire_safety"]


def point(rng: random.Random) -> GeoPoint:
    return GeoPoint(lon=rng.uniform(120.110, 120.140), lat=rng.uniform(30.278, 30.302))


def officers(n: int, rng: random.Random) -> list[Officer]:
    return [Officer(id=f"o{i:05d}", tenant=TENANT, name=f"o{i}", team=None, status=OfficerStatus.AVAILABLE,
                    position=point(rng), last_assigned_at=None, district=None,
                    skills=frozenset(rng.sample(SKILLS, rng.randint(1, 2))), mode=rng.choice(list(TravelMode)),
                    position_at=NOW - timedelta(seconds=rng.uniform(0, 400)), active_orders=rng.randint(0, 1))
            for i in range(n)]


def incidents(n: int, rng: random.Random) -> list[Demand]:
    return [Demand(uuid4(), TENANT, point(rng), (Need("comprehensive_enforcement", frozenset({rng.choice(SKILLS)})),),
                   None, rng.choice(list(Priority)), 300.0) for _ in range(n)]



def summary(decisions: list[Decision]) -> tuple[int, float]:
    served = [d for d in decisions if d.assigned]
    etas = [p.eta_s for d in served for p in d.picks]
    return len(served), statistics.fmean(etas) if etas else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7, help="matchings per size and policy (default 7)")
    args = parser.parse_args()
    rng = random.Random(2026)
    print(f"{'incidents × officers':>22} {'policy':>18} {'p50 ms':>9} {'p99 ms':>9} {'served':>8} {'mean ETA s':>11}")
    for n, m in ((100, 500), (1000, 5000)):
        for name, policy in (("batch", match), ("nearest_available", nearest_available)):
            times: list[float] = []
            served, eta = 0, 0.0
            for _ in range(args.runs):
                demands, roster = incidents(n, rng), officers(m, rng)
                started = time.perf_counter()
                decisions = policy(demands, roster, NOW)
                times.append((time.perf_counter() - started) * 1000)
                served, eta = summary(decisions)
            print(f"{f'{n} × {m}':>22} {name:>18} {percentile(times, 50):9.1f} {percentile(times, 99):9.1f} "
                  f"{served:>8} {eta:11.1f}")


if __name__ == "__main__":
    main()
