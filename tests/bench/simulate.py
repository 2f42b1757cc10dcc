"""Dispatch policies compared over a simulated shift of the demo tenant (Cuiyuan, 330106004).

Runs each policy over the same shift (same incidents, same officers, same human delays) with
dispatch's own matching code, prints the 1-3-5-8 figures, then repeats over more seeds to
show whether a difference is the policy's or the seed's. Writes tests/bench/results/sim.json,
sim-sla.png (SLA compliance by policy) and sim-arrival.png (time-to-arrival distribution).

With --emit, the batch policy's shift (the shown seed, full staffing) is then published to the
broker as the suite's own events on a real day (default: yesterday in Hangzhou), so evaluation
shows that day's KPIs and daily report (sim/events.py says what is emitted).

    .venv/bin/python tests/bench/simulate.py [--seed 1] [--seeds 10] [--officers 60] [--hours 8]
    .venv/bin/python tests/bench/simulate.py --emit [--bootstrap HOST:PORT] [--day 2026-11-25]
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import os
import platform
import socket
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import sim
from sim import events

from oneteam_contracts import Envelope, spec_for_type, to_kafka
from oneteam_eventbus import EventProducer, KafkaConfig, ensure_topics
from oneteam_eventbus.config import security_from_env

RESULTS = Path(__file__).parent / "results"
REPO = Path(__file__).resolve().parents[2]
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


def make_run_bootstrap(data_dir: Path) -> str | None:
    """The embedded broker `make run` started last (its log's last `listening on:` line), if it still answers."""
    log = data_dir / "logs" / "broker.log"
    if not log.is_file():
        return None
    found = None
    for line in log.read_text(errors="replace").splitlines():
        if line.startswith("listening on: tcp://"):
            found = line.split("tcp://", 1)[1].split()[0]
    if found is None:
        return None
    host, _, port = found.rpartition(":")
    try:
        socket.create_connection((host, int(port)), timeout=1).close()
    except OSError:
        return None  # that run has ended
    return found


def bootstrap_servers(given: str | None) -> str:
    """--bootstrap, else KAFKA_BOOTSTRAP_SERVERS, else the broker of the running `make run`."""
    data_dir = Path(os.environ.get("ONETEAM_DATA_DIR", REPO / ".data"))
    found = given or os.environ.get("KAFKA_BOOTSTRAP_SERVERS") or make_run_bootstrap(data_dir)
    if not found:
        raise SystemExit(f"no broker to emit to: start `make run` (its broker is read from {data_dir}/logs/"
                         "broker.log), or give --bootstrap HOST:PORT or set KAFKA_BOOTSTRAP_SERVERS")
    return found


async def publish(shift_events: list[Envelope[Any]], config: KafkaConfig) -> collections.Counter[str]:
    """Publish the events to their registered topics, keyed and framed as the services do; events per topic."""
    await ensure_topics(config)  # as every service does at start-up; nothing to do on a running suite
    producer = EventProducer(config)
    await producer.start()
    try:
        messages = []
        for event in shift_events:
            record = to_kafka(event)
            messages.append((spec_for_type(event.type, event.schema_version).topic.name, record.key, record.value,
                             record.headers))
        failed = [error for error in await producer.send_many(messages) if error is not None]
        if failed:
            raise RuntimeError(f"{len(failed)} of {len(messages)} events were refused, first: {failed[0]!r}")
    finally:
        await producer.stop()
    return collections.Counter(topic for topic, *_ in messages)


def emit(run: sim.Run, shift: events.Shift, bootstrap: str, evaluation: str) -> None:
    """Publish one run as events and say where evaluation shows it."""
    shift_events = events.shift_events(run, shift)
    config = KafkaConfig(bootstrap, client_id="oneteam-sim", idempotence=False, **security_from_env())
    per_topic = asyncio.run(publish(shift_events, config))
    print(f"\nemitted the {run.policy.name} shift of {shift.day} ({shift.key}, tenant {shift.tenant}) to {bootstrap}:")
    for topic, count in sorted(per_topic.items()):
        print(f"  {topic:<24} {count:>6} events")
    expected = events.order_clock(run, shift)
    print("  evaluation counts 1-3-5-8 per order, from the order, against the deadlines of the category's profile "
          "(the table above: per incident, from the report); for this shift: " + ", ".join(
              f"{kpi} {n}/{d} ({100 * n / d:.1f} %)" for kpi, (n, d) in expected.items() if d))
    base = f"{evaluation}/v1/tenants/{shift.tenant}"
    midnight = shift.start - timedelta(hours=shift.start_hour)  # the local day's start, in UTC
    window = "from={}&to={}".format(*(f"{t:%Y-%m-%dT%H:%M:%SZ}" for t in (midnight, midnight + timedelta(days=1))))
    print(f"""  with a token: TOKEN=$(.venv/bin/python -m oneteam_devstack token --role commander)
  curl -H "Authorization: Bearer $TOKEN" "{base}/kpis/acknowledged?{window}&period=day"
  curl -H "Authorization: Bearer $TOKEN" "{base}/kpis/arrived?{window}&period=day&dimension=district"
  curl -H "Authorization: Bearer $TOKEN" "{base}/reports/daily?day={shift.day}"
  curl -H "Authorization: Bearer $TOKEN" "{base}/reports/daily?day={shift.day}&format=xlsx" -o daily-{shift.day}.xlsx
  curl -H "Authorization: Bearer $TOKEN" "{base}/reports/daily?day={shift.day}&format=pdf" -o daily-{shift.day}.pdf
  (the same events again change nothing: every id is derived from the shift)""")


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
    parser.add_argument("--emit", action="store_true", help="then publish the batch policy's shift as events")
    parser.add_argument("--bootstrap", help="broker to emit to (default: KAFKA_BOOTSTRAP_SERVERS, else make run's)")
    parser.add_argument("--day", type=date.fromisoformat, help="local day of the emitted shift "
                        "(YYYY-MM-DD; default: yesterday in Hangzhou)")
    parser.add_argument("--evaluation", default="http://127.0.0.1:8105", help="evaluation's URL, for the links")
    args = parser.parse_args()
    if args.emit and "batch" not in args.policies.split(","):
        parser.error("--emit publishes the batch policy's shift: keep batch in --policies")
    bootstrap = bootstrap_servers(args.bootstrap) if args.emit else ""  # before the minute of simulation
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
    if args.emit:
        batch = next(r for r in shown["full shift"] if r.policy.name == "batch")
        key = events.shift_key("batch", args.seed, args.officers, args.scale, args.hours)
        shift = events.Shift(args.day or events.yesterday(), key, start_hour=args.start)
        emit(batch, shift, bootstrap, args.evaluation.rstrip("/"))


if __name__ == "__main__":
    main()
