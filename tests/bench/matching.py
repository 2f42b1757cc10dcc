"""Matching time of the pure matcher: batch (assignment problem) against nearest-available, one by one.

Runs standalone, no server: ``.venv/bin/python tests/bench/matching.py``. Incidents and
officers are spread over Cuiyuan's ~3 × 2.7 km; each size is matched several times with
fresh positions and the p50/p99 of the wall time (and of the CPU time, fairer on a shared
machine) is printed with how many incidents each policy served and their mean ETA, how many
of its runs held a full garbage-collector pass (a pause that walks every live object of the
process, 30-90 ms here: where one lands, it is that run's tail),
beside the figures of the previous run and of the baseline kept in ``results/matching.json``
(``--baseline`` records this run as the baseline). Each case is also matched by the dense
solver that the sparse one replaced (kept as the reference in dispatch's unit tests), in
the same moment, so the ratio holds however busy the machine is, and the batch decisions
are compared with it (``--no-reference`` skips it).
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import json
import os
import platform
import random
import statistics
import sys
import time
from collections.abc import Callable, Sequence
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
REFERENCE = Path(__file__).parents[2] / "services" / "dispatch" / "tests" / "unit" / "dense_matching.py"

Policy = Callable[[Sequence[Demand], Sequence[Officer], datetime], list[Decision]]


def dense_reference() -> Policy:
    """The dense solver as it was before sparse candidates, from dispatch's unit tests."""
    spec = importlib.util.spec_from_file_location("dense_matching", REFERENCE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while it loads
    spec.loader.exec_module(module)
    dense: Policy = module.dense_match
    return dense


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


class FullCollections:
    """Counts the runs during which the garbage collector walked the whole heap (generation 2)."""

    def __init__(self) -> None:
        self.seen = False
        gc.callbacks.append(self._note)

    def _note(self, phase: str, info: dict[str, int]) -> None:
        self.seen |= phase == "start" and info["generation"] == 2

    def __call__(self) -> bool:
        """Whether a full pass began since the last call."""
        seen, self.seen = self.seen, False
        return seen


def measure(runs: int, reference: bool, sizes: Sequence[tuple[int, int]] = SIZES) -> list[dict[str, Any]]:
    """Every size with every policy on the same cases: time percentiles and what the last run decided."""
    rng = random.Random(2026)
    policies: dict[str, Policy] = {"batch": match, "nearest_available": nearest_available}
    if reference:
        policies["dense batch (before)"] = dense_reference()
    full_pass = FullCollections()
    rows = []
    for n, m in sizes:
        wall: dict[str, list[float]] = {name: [] for name in policies}
        cpu: dict[str, list[float]] = {name: [] for name in policies}
        paused = dict.fromkeys(policies, 0)
        last: dict[str, list[Decision]] = {}
        same = 0
        for _ in range(runs):
            demands, roster = incidents(n, rng), officers(m, rng)
            for name, policy in policies.items():  # in turn, so a busy moment hits them alike
                full_pass()
                started, cpu_started = time.perf_counter(), time.process_time()
                last[name] = policy(demands, roster, NOW)
                wall[name].append((time.perf_counter() - started) * 1000)
                cpu[name].append((time.process_time() - cpu_started) * 1000)
                paused[name] += full_pass()
            same += reference and last["batch"] == last["dense batch (before)"]
        for name in policies:
            served, eta = summary(last[name])
            rows.append({"incidents": n, "officers": m, "policy": name, "p50_ms": percentile(wall[name], 50),
                         "p99_ms": percentile(wall[name], 99), "cpu_p50_ms": percentile(cpu[name], 50),
                         "cpu_p99_ms": percentile(cpu[name], 99), "full_gc_runs": paused[name],
                         "served": served, "mean_eta_s": eta,
                         **({"same_as_dense": f"{same}/{runs}"} if reference and name == "batch" else {})})
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
    parser.add_argument("--no-reference", dest="reference", action="store_false",
                        help="skip the dense solver the sparse one replaced")
    parser.add_argument("--sizes", default=",".join(f"{n}x{m}" for n, m in SIZES),
                        help="incidents x officers, comma-separated (default %(default)s); 1x7750 is one "
                             "report's batch against the pipeline benchmark's default roster")
    args = parser.parse_args()
    sizes = [(int(n), int(m)) for n, m in (size.split("x") for size in args.sizes.split(","))]
    kept: dict[str, Any] = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    run = {"rows": measure(args.runs, args.reference, sizes), "runs": args.runs,
           "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {sys.version.split()[0]}",
           "load_average": os.getloadavg()[0], "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}
    print(f"{'incidents × officers':>20} {'policy':>20} {'p50 ms':>7} {'p99 ms':>7} {'CPU p50':>7} {'CPU p99':>7} "
          f"{'full GC':>7} {'served':>6} {'mean ETA s':>10} {'previous p50 / p99':>18} {'baseline p50 / p99':>18}"
          "  same decisions as dense")
    for row in run["rows"]:
        size = f"{row['incidents']} × {row['officers']}"
        print(f"{size:>20} {row['policy']:>20} {row['p50_ms']:7.1f} {row['p99_ms']:7.1f} {row['cpu_p50_ms']:7.1f} "
              f"{row['cpu_p99_ms']:7.1f} {row['full_gc_runs']:>7} "
              f"{row['served']:>6} {row['mean_eta_s']:10.1f} {figure(kept.get('latest'), row):>18} "
              f"{figure(kept.get('baseline'), row):>18}  {row.get('same_as_dense', '')}")
    print(f"{args.runs} runs per row (full GC: runs holding a full garbage-collector pass), "
          f"load average {run['load_average']:.2f} on {run['machine']}")
    kept["previous"], kept["latest"] = kept.get("latest"), run
    if args.baseline or "baseline" not in kept:
        kept["baseline"] = run
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(kept, indent=2) + "\n")
    print(f"results: {RESULTS}")


if __name__ == "__main__":
    main()
