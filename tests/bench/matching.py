"""Matching time of the pure matcher: batch (assignment problem) against nearest-available, one by one.

Runs standalone, no server: ``.venv/bin/python tests/bench/matching.py``. Incidents and
officers are spread over Cuiyuan's ~3 × 2.7 km; each size is matched several times with
fresh positions and the p50/p99 of the wall time is printed with how many incidents each
policy served and their mean ETA, beside the figures of the previous run and of the
baseline kept in ``results/matching.json`` (``--baseline`` records this run as the baseline).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
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
SIZES = ((100, 500), (1000, 5000))
RESULTS = Path(__file__).parent / "results" / "matching.json"


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


def measure(runs: int) -> list[dict[str, Any]]:
    """Every size with both policies: wall-time percentiles and what the last run decided."""
    rng = random.Random(2026)
    rows = []
    for n, m in SIZES:
        for name, policy in (("batch", match), ("nearest_available", nearest_available)):
            times: list[float] = []
            served, eta = 0, 0.0
            for _ in range(runs):
                demands, roster = incidents(n, rng), officers(m, rng)
                started = time.perf_counter()
                decisions = policy(demands, roster, NOW)
                times.append((time.perf_counter() - started) * 1000)
                served, eta = summary(decisions)
            rows.append({"incidents": n, "officers": m, "policy": name, "p50_ms": percentile(times, 50),
                         "p99_ms": percentile(times, 99), "served": served, "mean_eta_s": eta})
    return rows


def figure(run: dict[str, Any] | None, row: dict[str, Any]) -> str:
    """`row`'s p50 / p99 in an earlier run, or a dash when that run lacks it."""
    for old in (run or {}).get("rows", []):
        if (old["incidents"], old["officers"], old["policy"]) == (row["incidents"], row["officers"], row["policy"]):
            return f"{old['p50_ms']:.1f} / {old['p99_ms']:.1f}"
    return "–"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=20, help="matchings per size and policy (default 20)")
    parser.add_argument("--baseline", action="store_true", help="record this run as the baseline too")
    args = parser.parse_args()
    kept: dict[str, Any] = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    run = {"rows": measure(args.runs), "runs": args.runs,
           "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {sys.version.split()[0]}",
           "load_average": os.getloadavg()[0], "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}
    print(f"{'incidents × officers':>22} {'policy':>18} {'p50 ms':>8} {'p99 ms':>8} {'served':>7} "
          f"{'mean ETA s':>10} {'previous p50 / p99':>19} {'baseline p50 / p99':>19}")
    for row in run["rows"]:
        size = f"{row['incidents']} × {row['officers']}"
        print(f"{size:>22} {row['policy']:>18} {row['p50_ms']:8.1f} "
              f"{row['p99_ms']:8.1f} {row['served']:>7} {row['mean_eta_s']:10.1f} "
              f"{figure(kept.get('latest'), row):>19} {figure(kept.get('baseline'), row):>19}")
    print(f"{args.runs} runs per row, load average {run['load_average']:.2f} on {run['machine']}")
    kept["previous"], kept["latest"] = kept.get("latest"), run
    if args.baseline or "baseline" not in kept:
        kept["baseline"] = run
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(kept, indent=2) + "\n")
    print(f"results: {RESULTS}")


if __name__ == "__main__":
    main()
