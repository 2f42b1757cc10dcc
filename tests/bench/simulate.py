"""Dispatch policies compared over a simulated shift of the demo tenant (Cuiyuan, 330106004).

Runs each policy over the same shift (same incidents, same officers, same human delays) with
dispatch's own matching code, prints the 1-3-5-8 figures, then repeats over more seeds to
show whether a difference is the policy's or the seed's. Writes tests/bench/results/sim.json,
sim-sla.png (SLA compliance by policy) and sim-arrival.png (time-to-arrival distribution).

    .venv/bin/python tests/bench/simulate.py [--seed 1] [--seeds 10] [--officers 60] [--hours 8]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import sim

RESULTS = Path(__file__).parent / "results"
COLUMNS = [("ack≤1", "acknowledged_1_min_pct"), ("arr≤5", "arrived_5_min_pct"), ("rep≤8", "reported_8_min_pct"),
           ("arr≤5 ord", "arrived_5_after_order_pct"), ("mean", "mean_arrival_min"), ("p90", "p90_arrival_min"),
           ("util", "utilisation_pct"), ("queued", "queue_sends"), ("unserved", "unserved")]


def table(title: str, summaries: list[sim.Summary]) -> str:
    """A fixed-width table of summaries, one row per policy."""
    lines = [title, f"  {'policy':<10}" + "".join(f"{h:>10}" for h, _ in COLUMNS)]
    for s in summaries:
        values = s.as_dict()
        lines.append(f"  {s.policy:<10}" + "".join(
            f"{values[k]:>10.1f}" if isinstance(values[k], float) else f"{values[k]:>10}" for _, k in COLUMNS))
    return "\n".join(lines)


def charts(scenarios: dict[str, dict[str, Any]], runs: dict[str, list[sim.Run]], folder: Path) -> list[Path]:
    """SLA compliance by policy (one panel per scenario) and the time-to-arrival CDF."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    stages = [("acknowledged ≤ 1 min", "acknowledged_1_min_pct"), ("arrived ≤ 5 min", "arrived_5_min_pct"),
              ("reported ≤ 8 min", "reported_8_min_pct")]
    fig, axes = plt.subplots(1, len(scenarios), figsize=(6 * len(scenarios), 4.2), squeeze=False)
    for ax, (name, scenario) in zip(axes[0], scenarios.items(), strict=True):
        summaries = scenario["summaries"]
        width = 0.8 / len(summaries)
        for k, s in enumerate(summaries):
            xs = [i + (k - (len(summaries) - 1) / 2) * width for i in range(len(stages))]
            bars = ax.bar(xs, [s[key] for _, key in stages], width, label=s["policy"])
            ax.bar_label(bars, fmt="%.0f", fontsize=7)
        ax.set_xticks(range(len(stages)), [label for label, _ in stages])
        ax.set_ylim(0, 105)
        ax.set_ylabel("% of incidents, timed from the report")
        ax.set_title(f"{name}: {scenario['officers']} officers, {summaries[0]['incidents']} incidents")
        ax.legend(fontsize=8, loc="lower left")
    fig.suptitle("1-3-5-8 compliance by dispatch policy (simulated 8 h shift, Cuiyuan)")
    fig.tight_layout()
    sla = folder / "sim-sla.png"
    fig.savefig(sla, dpi=110)
    plt.close(fig)

    fig, axes = plt.subplots(1, len(runs), figsize=(6 * len(runs), 4.2), squeeze=False)
    for ax, (name, policy_runs) in zip(axes[0], runs.items(), strict=True):
        for run in policy_runs:
            minutes = sorted(sim.arrival_minutes(run))
            share = [100 * (i + 1) / len(run.records) for i in range(len(minutes))]
            ax.step(minutes, share, where="post", label=run.policy.name)
        ax.axvline(5, color="grey", linestyle="--", linewidth=1)
        ax.set_xlim(0, 20)
        ax.set_ylim(0, 100)
        ax.set_xlabel("minutes from report to the first officer on scene")
        ax.set_ylabel("% of incidents arrived")
        ax.set_title(name)
        ax.legend(fontsize=8, loc="lower right")
    fig.suptitle("Time to arrival by dispatch policy (cumulative)")
    fig.tight_layout()
    arrival = folder / "sim-arrival.png"
    fig.savefig(arrival, dpi=110)
    plt.close(fig)
    return [sla, arrival]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seed", type=int, default=1, help="the shift shown in the tables and charts")
    parser.add_argument("--seeds", type=int, default=10, help="shifts (seeds 1..N) for the robustness check")
    parser.add_argument("--officers", type=int, default=60)
    parser.add_argument("--short-staffed", type=int, default=40, help="officers in the second scenario (0: skip)")
    parser.add_argument("--scale", type=float, default=1.0, help="multiplies every source's report rate")
    parser.add_argument("--hours", type=float, default=8.0)
    parser.add_argument("--start", type=float, default=8.0, help="local hour the shift starts")
    parser.add_argument("--policies", default=",".join(sim.POLICIES), help="comma-separated; known: "
                        + ", ".join(sim.POLICIES))
    parser.add_argument("--no-charts", action="store_true")
    args = parser.parse_args()
    policies = [sim.POLICIES[p.strip()] for p in args.policies.split(",")]
    staffing = {"full shift": args.officers}
    if args.short_staffed:
        staffing["short-staffed"] = args.short_staffed
    started = time.process_time()

    def run(policy: sim.PolicySpec, seed: int, officers: int) -> sim.Run:
        return sim.run_shift(policy, seed=seed, officers=officers, scale=args.scale, start_hour=args.start,
                             hours=args.hours)

    scenarios: dict[str, dict[str, Any]] = {}
    shown: dict[str, list[sim.Run]] = {}
    for name, officers in staffing.items():
        shown[name] = [run(p, args.seed, officers) for p in policies]
        summaries = [sim.summarise(r) for r in shown[name]]
        print(table(f"\n{name}: {officers} officers, {args.hours:g} h from {args.start:g}:00, seed {args.seed} "
                    f"({summaries[0].incidents} incidents; % timed from the report, minutes)", summaries))
        across: dict[str, dict[str, list[float]]] = {p.name: {"arrived_5_min_pct": [], "p90_arrival_min": [],
                                                              "acknowledged_1_min_pct": []} for p in policies}
        for seed in range(1, args.seeds + 1):
            for p in policies:
                s = sim.summarise(run(p, seed, officers))
                for key, values in across[p.name].items():
                    values.append(getattr(s, key))
        scenarios[name] = {"officers": officers, "seed": args.seed, "summaries": [s.as_dict() for s in summaries],
                           "seeds": args.seeds, "across_seeds": across}
        if args.seeds > 1:
            base = across[policies[0].name]["arrived_5_min_pct"]
            print(f"  over seeds 1..{args.seeds}, arrived ≤ 5 min, mean (min..max) and gain over {policies[0].name}:")
            for p in policies:
                values = across[p.name]["arrived_5_min_pct"]
                gains = [v - b for v, b in zip(values, base, strict=True)]
                wins = sum(1 for g in gains if g > 0)
                print(f"    {p.name:<10} {statistics.fmean(values):5.1f} % ({min(values):.1f}..{max(values):.1f})"
                      f"   gain {statistics.fmean(gains):+5.2f} pts ({min(gains):+.1f}..{max(gains):+.1f}),"
                      f" better in {wins}/{args.seeds}")
    cpu = time.process_time() - started
    result = {
        "tenant": sim.cuiyuan().tenant, "hours": args.hours, "start_hour": args.start, "scale": args.scale,
        "policies": [p.name for p in policies], "scenarios": scenarios, "cpu_s": round(cpu, 2),
        "command": "python tests/bench/simulate.py " + " ".join(sys.argv[1:]),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {sys.version.split()[0]}",
        "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "sim.json").write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    written = [RESULTS / "sim.json"]
    if not args.no_charts:
        written += charts(scenarios, shown, RESULTS)
    print(f"\n{sum(len(r) for r in shown.values()) * (1 + args.seeds)} simulated shifts in {cpu:.1f} s CPU")
    print("results: " + ", ".join(str(p) for p in written))


if __name__ == "__main__":
    main()
