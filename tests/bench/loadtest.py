"""Live load test: the running suite driven over HTTP from the outside, the offered rate stepped up
until the report → order latency's p99 passes one second.

Officers stream GPS fixes and hold their push channel (server-sent events) open; reports arrive
from several sources (grid workers' and citizens' apps, patrol officers, camera gateway
batches, the 12345 hotline's signed webhook); each officer's app acknowledges, arrives and
reports through dispatch's API, so officers come free again. Latency runs from the moment a
report was due to be sent (open loop: a slow server cannot slow the offered rate down) to
the moment its order reaches the officer's push channel.

    .venv/bin/python tests/bench/loadtest.py                      # starts the suite (embedded infra)
    KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:9092 .venv/bin/python tests/bench/loadtest.py   # on Apache Kafka
    .venv/bin/python tests/bench/loadtest.py --intake http://127.0.0.1:8101 --dispatch http://127.0.0.1:8102

Loopback only, bounded in reports (--rates × --step-seconds) and in time (--max-seconds).

By default 2 000 officers each send a fix every 5 s (400 fixes/s, open loop: a slow answer
does not slow the stream). `--position-every 0` runs the same steps with no fixes: it writes
results/load-quiet.json, and the main run prints how much the position traffic raises report
latency at each rate. Each run prints its figures beside the previous run's (kept in the JSON).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import os
import platform
import random
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import httpx
import load_api as api
from bench_stats import CpuMeter, percentile, stack_pids
from fix_stream import STREAM_FAILURES, close_streams, open_streams
from keepalive import FAILURES, Connections

from oneteam_servicekit.app import GC_THRESHOLDS

RESULTS = Path(__file__).parent / "results"
WEST, EAST, SOUTH, NORTH = 120.107, 120.143, 30.277, 30.303  # inside Cuiyuan, clear of its border
CATEGORIES = ["street_vending", "dumped_waste", "noise"]  # listed in both intake's catalog and dispatch's list
CAMERA_LABELS = {"street_vendor": "street_vending", "garbage_pile": "dumped_waste"}
# Dispatch's API-only replica: the officers' position streams without the order path's loops.
POSITIONS_ONLY = {"DISPATCH_BACKGROUND": "false", "DISPATCH_CONSUME_INCIDENTS": "false", "WEB_CONCURRENCY": "1"}
FIX_CONNECTIONS = 256  # fixes in flight at most: beyond this many unanswered the server is lost anyway
SOURCES = {"grid_worker": 30, "citizen_app": 20, "patrol": 10, "ai_camera": 25, "hotline_12345": 15}


@dataclass
class Books:
    """What the load generator saw: when each incident's report was due, when its order came."""

    due: dict[str, float] = field(default_factory=dict)
    where: dict[str, tuple[float, float]] = field(default_factory=dict)
    ordered: dict[str, float] = field(default_factory=dict)
    accept_ms: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    merged: int = 0
    accepted: int = 0
    officer_errors: Counter[str] = field(default_factory=Counter)
    fixes_sent: int = 0
    fix_ms: list[float] = field(default_factory=list)
    officer_step_ms: list[float] = field(default_factory=list)  # acknowledge, arrive, report: each answered


class Sites:
    """Report locations on a 90 m lattice, never the same twice per category (intake merges
    same-category reports within its dedup radius, 50-80 m, into one incident)."""

    def __init__(self, seed: int) -> None:
        step_lon, step_lat = 90 / 96_000, 90 / 111_200
        self.points = [(round(WEST + i * step_lon, 6), round(SOUTH + j * step_lat, 6))
                       for i in range(int((EAST - WEST) / step_lon)) for j in range(int((NORTH - SOUTH) / step_lat))]
        random.Random(seed).shuffle(self.points)
        self.next: Counter[str] = Counter()

    def take(self, category: str) -> tuple[float, float]:
        k = self.next[category]
        self.next[category] += 1
        return self.points[k % len(self.points)]


def _ms(values: list[float], q: float) -> float | None:
    # null rather than NaN in the results JSON when a step produced no sample
    return percentile(values, q) if values else None


async def officer_app(steps: Connections, send_fix: api.SendFix, push: httpx.AsyncClient, dispatch: str,
                      officer_id: str, token: str, books: Books, here: list[float], ready: asyncio.Event) -> None:
    """One officer's terminal: hears orders, acknowledges, rides there, arrives, reports."""
    async with contextlib.aclosing(api.orders(push, dispatch, token)) as stream:
        ready.set()
        async for order in stream:
            if order.kind == "created":
                await handle_order(steps, send_fix, officer_id, token, order, books, here)


async def handle_order(dispatch: Connections, send_fix: api.SendFix, officer_id: str, token: str, order: api.Order,
                       books: Books, here: list[float]) -> None:
    """Note when the order came, then acknowledge, ride there, arrive and report."""
    now = time.perf_counter()
    incident = order.incident_id
    if incident is not None:
        books.ordered.setdefault(incident, now)
    async def step(action: str, body: dict[str, Any] | None = None) -> None:
        began = time.perf_counter()
        await api.step(dispatch, token, order.assignment_id, action, body)
        books.officer_step_ms.append((time.perf_counter() - began) * 1000)

    try:
        await step("acknowledge")
        for _ in range(50):  # the order can beat the report's HTTP response to us
            if incident in books.where:
                break
            await asyncio.sleep(0.05)
        lon, lat = books.where.get(incident or "", (here[0], here[1]))
        here[:] = [lon, lat]
        await send_fix(officer_id, lon, lat)
        await step("arrive")
        await step("report", {"outcome": "resolved_on_site", "notes": "load test: handled on the spot"})
    except (api.ApiError, *FAILURES, *STREAM_FAILURES) as error:
        books.officer_errors[type(error).__name__ + str(getattr(error, "status", ""))] += 1


async def stream_positions(send_fix: api.SendFix, officers: dict[str, tuple[str, list[float]]], every_s: float,
                           books: Books) -> None:
    """Every officer's terminal sends a fix every `every_s` seconds, spread evenly, each on its own
    schedule (open loop: thousands of terminals do not wait for each other's answers).

    Posted fixes go through hand-written keep-alive connections (`keepalive`): through httpx the
    load generator spent 92 % of its loop sending fixes and sent 63 of the 400 a second
    (py-spy), so the generator, not the suite, was the limit.
    """
    ids = sorted(officers)
    gap = every_s / len(ids)
    tasks: set[asyncio.Task[None]] = set()

    async def one(officer_id: str) -> None:
        here = officers[officer_id][1]
        started = time.perf_counter()
        try:
            await send_fix(officer_id, here[0], here[1])
            books.fix_ms.append((time.perf_counter() - started) * 1000)
        except (api.ApiError, *FAILURES, *STREAM_FAILURES) as error:
            books.officer_errors["position " + type(error).__name__] += 1

    began = time.perf_counter()
    n = 0
    while True:
        for officer_id in ids:
            task = asyncio.create_task(one(officer_id))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
            books.fixes_sent += 1
            n += 1
            await asyncio.sleep(max(0.0, began + n * gap - time.perf_counter()))


async def one_report(intake: Connections, due: float, source: str, rng: random.Random,
                     sites: Sites, tokens: dict[str, Any], books: Books) -> None:
    """Send one report (or a camera batch of 1-3 detections) from `source`; note what intake opened."""
    started = time.perf_counter()
    try:
        if source == "ai_camera":
            sent = []
            for _ in range(rng.randint(1, 3)):
                label = rng.choice(sorted(CAMERA_LABELS))
                lon, lat = sites.take(CAMERA_LABELS[label])
                sent.append((f"cam-{len(books.due)}-{rng.randrange(10**9)}", label, lon, lat))
            receipts = await api.camera_batch(intake, tokens["camera"], sent)
            places = [(lon, lat) for _, _, lon, lat in sent]
        else:
            category = rng.choice(CATEGORIES)
            lon, lat = sites.take(category)
            if source == "hotline_12345":
                receipts = [await api.hotline_push(intake, tokens["hotline"], category, lon, lat)]
            else:
                token = tokens["patrol"] if source == "patrol" else rng.choice(tokens["app"])
                app_source = "citizen_app" if source == "citizen_app" else source
                receipts = [await api.report_from_app(intake, token, app_source, category, lon, lat)]
            places = [(lon, lat)]
    except api.ApiError as error:
        books.errors[f"{source} HTTP {error.status}"] += 1
        return
    except FAILURES as error:
        books.errors[f"{source} {type(error).__name__}"] += 1
        return
    books.accept_ms.append((time.perf_counter() - started) * 1000)
    for receipt, place in zip(receipts, places, strict=True):
        books.accepted += 1
        if receipt.opened and receipt.incident_id:
            books.due[receipt.incident_id] = due
            books.where[receipt.incident_id] = place
        else:
            books.merged += 1


async def offer(intake: Connections, rate: float, seconds: float, rng: random.Random,
                sites: Sites, tokens: dict[str, Any], books: Books) -> None:
    """Open loop: a report every 1/rate seconds for `seconds`, each in its own task."""
    began = time.perf_counter()
    names = sorted(SOURCES)
    tasks = []
    for k in range(int(rate * seconds)):
        due = began + k / rate
        await asyncio.sleep(max(0.0, due - time.perf_counter()))
        source = rng.choices(names, weights=[SOURCES[n] for n in names])[0]
        tasks.append(asyncio.create_task(one_report(intake, due, source, rng, sites, tokens, books)))
    await asyncio.gather(*tasks)


async def settle(books: Books, step: Books, seconds: float) -> None:
    """Give the step's last orders up to `seconds` to reach the officers."""
    for _ in range(int(seconds * 10)):
        if all(i in books.ordered for i in step.due):
            return
        await asyncio.sleep(0.1)


async def drive(intake: str, dispatch: str, args: argparse.Namespace, pids: dict[str, int] | None = None,
                positions: str | None = None) -> dict[str, Any]:
    """Register the officers, open their apps and fixes, then offer each rate in turn. With `pids`
    (a suite this script started), each step also notes how many cores each process kept busy."""
    rng = random.Random(args.seed)
    mint = api.Tokens()
    tokens: dict[str, Any] = {"camera": mint.commander(), "hotline": args.hotline_key,
                              "app": [mint.grid_worker(n) for n in range(20)]}
    limits = httpx.Limits(max_connections=args.connections, max_keepalive_connections=args.connections)
    async with httpx.AsyncClient(timeout=30, limits=limits) as client, \
            httpx.AsyncClient(timeout=None, limits=httpx.Limits(max_connections=args.officers + 10)) as push:
        officers: dict[str, tuple[str, list[float]]] = {}
        admin = mint.admin()
        side = max(1, int(args.officers ** 0.5))
        for n in range(args.officers):
            officer_id = f"load-{n:04d}"
            here = [round(WEST + (n % side + 0.5) * (EAST - WEST) / side, 6),
                    round(SOUTH + (n // side % side + 0.5) * (NORTH - SOUTH) / side, 6)]
            await api.register_officer(client, dispatch, admin, officer_id, here[0], here[1])
            officers[officer_id] = (mint.officer(officer_id), here)
        tokens["patrol"] = officers[min(officers)][0]
        reports_pool, steps_pool = Connections(intake, args.connections), Connections(dispatch, args.connections)
        officer_tokens = {officer_id: token for officer_id, (token, _) in officers.items()}
        streams = await open_streams(positions or dispatch, officer_tokens) if args.fixes == "stream" else {}
        send_fix = (api.streamed_fixes(streams) if streams
                    else api.posted_fixes(Connections(dispatch, FIX_CONNECTIONS), officer_tokens))
        books = Books()
        apps = []
        for officer_id, (token, here) in officers.items():
            ready = asyncio.Event()
            apps.append(asyncio.create_task(officer_app(steps_pool, send_fix, push, dispatch, officer_id, token, books,
                                                        here, ready)))
            await ready.wait()
        positions = asyncio.create_task(stream_positions(send_fix, officers, args.position_every, books)
                                        if args.position_every > 0 else asyncio.sleep(10**9))
        await asyncio.sleep(1.0)
        steps: list[dict[str, Any]] = []
        deadline = time.monotonic() + args.max_seconds
        sites = Sites(args.seed)
        if args.warmup:  # first connections, caches and consumer fetches are not the steady state
            warm = Books()
            warm.ordered, warm.where = books.ordered, books.where
            await offer(reports_pool, 2, args.warmup, rng, sites, tokens, warm)
            await settle(books, warm, args.settle)
            print(f"  warm-up: {len(warm.due)} incidents, {sum(warm.errors.values())} errors", flush=True)
        try:
            for rate in args.rates:
                if time.monotonic() + args.step_seconds + args.settle > deadline:
                    print(f"  stopping: --max-seconds {args.max_seconds} reached", flush=True)
                    break
                step = Books()
                step.ordered, step.where = books.ordered, books.where  # shared with the officers' apps
                began = time.perf_counter()
                fixes_before, books.fix_ms, books.officer_step_ms = books.fixes_sent, [], []
                meter, generator_cpu = (CpuMeter(pids) if pids else None), time.process_time()
                await offer(reports_pool, rate, args.step_seconds, rng, sites, tokens, step)
                sent_for = time.perf_counter() - began
                cores = {name: round(cpu / sent_for, 3) for name, cpu in (meter.lap() if meter else {}).items()}
                cores["load generator"] = round((time.process_time() - generator_cpu) / sent_for, 3)
                fixes = (books.fixes_sent - fixes_before, list(books.fix_ms))
                officer_steps = list(books.officer_step_ms)
                await settle(books, step, args.settle)
                result = summarise_step(rate, sent_for, step, books.officer_errors)
                result.update(fixes_per_s=round(fixes[0] / sent_for, 1), fix_p99_ms=_ms(fixes[1], 99),
                              officer_step_p50_ms=_ms(officer_steps, 50), officer_step_p99_ms=_ms(officer_steps, 99),
                              cores=cores)
                steps.append(result)
                print_step(result)
                # One slow spike in a short step is noise; two breaching steps in a row is saturation.
                if len(steps) >= 2 and all(breaches(s) for s in steps[-2:]):
                    break
        finally:
            positions.cancel()
            for task in apps:
                task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.gather(positions, *apps, return_exceptions=True)
            await close_streams(streams)
    return {"steps": steps, "officers": args.officers, "step_seconds": args.step_seconds, "settle_s": args.settle,
            "position_every_s": args.position_every, "fixes": args.fixes, "positions_replica": bool(positions),
            "dispatch_workers": None if args.intake else args.dispatch_workers,
            "sources": SOURCES}


def breaches(step: dict[str, Any]) -> bool:
    """Whether a step is past saturation: p99 over one second, an error, or no order at all."""
    return step["p99_ms"] is None or step["p99_ms"] > 1000 or bool(step["errors"])


def summarise_step(rate: float, sent_for: float, step: Books, officer_errors: Counter[str]) -> dict[str, Any]:
    latency = [(step.ordered[i] - due) * 1000 for i, due in step.due.items() if i in step.ordered]
    return {
        "offered_per_s": rate, "accepted_per_s": round(step.accepted / sent_for, 2), "reports": step.accepted,
        "incidents": len(step.due), "merged": step.merged, "ordered": len(latency),
        "no_order": len(step.due) - len(latency), "errors": sum(step.errors.values()),
        "error_kinds": dict(step.errors), "officer_app_errors": dict(officer_errors),
        "accept_p50_ms": _ms(step.accept_ms, 50), "accept_p99_ms": _ms(step.accept_ms, 99),
        "p50_ms": _ms(latency, 50), "p95_ms": _ms(latency, 95), "p99_ms": _ms(latency, 99),
        "max_ms": max(latency) if latency else None,
    }


def print_step(r: dict[str, Any]) -> None:
    def ms(value: float | None) -> str:
        return "      -" if value is None else f"{value:7.0f}"
    print(f"  offered {r['offered_per_s']:6.1f}/s  accepted {r['accepted_per_s']:6.1f}/s  orders {r['ordered']:5d}"
          f"/{r['incidents']:<5d} errors {r['errors']:3d}  report→order ms p50 {ms(r['p50_ms'])}"
          f" p95 {ms(r['p95_ms'])} p99 {ms(r['p99_ms'])}  fixes {r.get('fixes_per_s', 0):5.0f}/s"
          f" (p99 {ms(r.get('fix_p99_ms'))} ms)  officer steps ms p50 {ms(r.get('officer_step_p50_ms'))}"
          f" p99 {ms(r.get('officer_step_p99_ms'))}", flush=True)
    cores = r.get("cores") or {}
    if cores:
        print("    cores busy: " + ", ".join(f"{name} {used:.2f}" for name, used in
                                           sorted(cores.items(), key=lambda item: -item[1]))
              + f"; all {sum(cores.values()):.2f} of {os.cpu_count()}", flush=True)


def side_by_side(latest: dict[str, Any], previous: dict[str, Any] | None, label: str) -> None:
    """Each offered rate's p50/p99 next to the previous run's (or the quiet run's), and saturation."""
    if previous is None:
        return
    old = {s["offered_per_s"]: s for s in previous.get("steps", [])}
    print(f"\n{label}: {previous.get('when', '?')}, {previous.get('officers', '?')} officers, "
          f"fix every {previous.get('position_every_s', '?')} s, "
          f"dispatch workers {previous.get('dispatch_workers', 1)}")
    print(f"  {'offered/s':>9}  {'p50 then':>9} {'p50 now':>8}  {'p99 then':>9} {'p99 now':>8}  {'p99 ratio':>9}")
    for step in latest["steps"]:
        before = old.get(step["offered_per_s"])
        if before is None:
            continue

        def f(value: float | None) -> str:
            return "-" if value is None else f"{value:.0f}"
        ratio = (f"{step['p99_ms'] / before['p99_ms']:.2f}" if step["p99_ms"] and before.get("p99_ms") else "-")
        print(f"  {step['offered_per_s']:9g}  {f(before.get('p50_ms')):>9} {f(step['p50_ms']):>8}  "
              f"{f(before.get('p99_ms')):>9} {f(step['p99_ms']):>8}  {ratio:>9}")
    print(f"  saturation then {previous.get('saturation_offered_per_s') or 'not reached'}, "
          f"now {latest.get('saturation_offered_per_s') or 'not reached'} reports/s offered")


def chart(result: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    steps = [s for s in result["steps"] if s["p50_ms"] is not None]
    fig, ax = plt.subplots(figsize=(7, 4.2))
    for key in ("p50_ms", "p95_ms", "p99_ms"):
        ax.plot([s["offered_per_s"] for s in steps], [s[key] for s in steps], marker="o", label=key[:3])
    ax.axhline(1000, color="grey", linestyle="--", linewidth=1)
    ax.set_xlabel("offered submissions per second (a camera batch is one)")
    ax.set_ylabel("report → order on the push channel, ms")
    ax.set_yscale("log")
    ax.legend()
    ax.set_title(f"Load vs latency ({result['broker']}, {result['machine']})", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main() -> None:
    # The generator holds 2 000 push channels open too: with the default thresholds its full
    # collections stopped its loop up to 250 ms, and a report late to be sent or read counts
    # as latency. The services' thresholds (oneteam_servicekit.app) end that here as well.
    gc.set_threshold(*GC_THRESHOLDS)
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--intake", help="intake's base URL (default: start the suite)")
    parser.add_argument("--dispatch", help="dispatch's base URL (default: start the suite)")
    parser.add_argument("--rates", type=lambda s: [float(x) for x in s.split(",")],
                        default=[5, 10, 20, 30, 50, 75, 100, 125, 150], help="offered reports/s, one step each")
    parser.add_argument("--step-seconds", type=float, default=20)
    parser.add_argument("--warmup", type=float, default=5, help="seconds of unmeasured reports at 2/s first")
    parser.add_argument("--settle", type=float, default=5, help="seconds to wait for a step's last orders")
    parser.add_argument("--max-seconds", type=float, default=420)
    parser.add_argument("--officers", type=int, default=2000)
    parser.add_argument("--position-every", type=float, default=5,
                        help="seconds between an officer's fixes (0: no fixes, results in load[-kafka]-quiet.json)")
    parser.add_argument("--fixes", choices=("stream", "post"), default="stream",
                        help="officers' fixes (and their apps' fix on arrival) as frames on each officer's position "
                             "WebSocket, as the app sends them, or as a POST each (before 2026-11-27)")
    parser.add_argument("--dispatch-workers", type=int, default=2,
                        help="dispatch's worker processes when the suite is started here (fixes, push channels "
                             "and orders outgrow one process's core; the other services need less than one)")
    parser.add_argument("--positions-replica", action="store_true",
                        help="stream the fixes to a dispatch process of their own (API only: no matcher, no "
                             "incident consumer), as an ingress would route /v1/me/positions/stream")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--hotline-key", default="dev-hotline-12345-key", help="intake's key for hotline-12345")
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--keep-data", help="run the suite in this folder and keep it (services' logs in logs/)")
    args = parser.parse_args()
    for url in (args.intake, args.dispatch):
        if url and urlparse(url).hostname not in ("127.0.0.1", "localhost", "::1"):
            parser.error(f"{url}: the load test drives loopback only")
    if bool(args.intake) != bool(args.dispatch):
        parser.error("give both --intake and --dispatch, or neither")
    cpu_began = time.process_time()
    if args.intake:
        broker = "given deployment"
        result = asyncio.run(drive(args.intake, args.dispatch, args))
    else:
        from oneteam_devstack.stack import SERVICES, Stack

        with contextlib.ExitStack() as cleanup:
            folder = args.keep_data or cleanup.enter_context(tempfile.TemporaryDirectory(prefix="oneteam-load-"))
            stack = Stack(Path(folder), durable=True, fixed_ports=False, extra_env={"LOG_LEVEL": "WARNING"},
                          workers={"dispatch": args.dispatch_workers})
            try:
                urls = stack.start_all()
                if args.positions_replica:
                    urls["positions"] = stack.start_service(
                        next(spec for spec in SERVICES if spec.name == "dispatch"), replica=2, env=POSITIONS_ONLY)
                broker = "Apache Kafka" if stack.broker is None else "embedded broker"
                print(f"suite up: {urls}  broker: {broker} at {stack.bootstrap_servers}", flush=True)
                result = asyncio.run(drive(urls["intake"], urls["dispatch"], args, stack_pids(stack, broker=True),
                                           positions=urls.get("positions")))
            finally:
                stack.stop()
    # The generator shares the machine with the suite; its own CPU is part of the picture.
    result["load_generator_cpu_s"] = round(time.process_time() - cpu_began, 1)
    steps = result["steps"]
    # Saturation: the first step of the breaching run the test ended on (none if it never did).
    ended_saturated = len(steps) >= 2 and breaches(steps[-1]) and breaches(steps[-2])
    first = len(steps) - 2 if ended_saturated else len(steps)
    below = [s for s in steps[:first] if not breaches(s)]
    result.update(
        broker=broker, saturation_offered_per_s=steps[first]["offered_per_s"] if ended_saturated else None,
        best_below_saturation=below[-1] if below else None,
        isolated_breaches=[s["offered_per_s"] for s in steps[:first] if breaches(s)],
        machine=f"{platform.machine()}, {os.cpu_count()} cores, Python {sys.version.split()[0]}",
        when=time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        command="python tests/bench/loadtest.py " + " ".join(sys.argv[1:]))
    RESULTS.mkdir(exist_ok=True)
    name = ("load-kafka" if broker == "Apache Kafka" else "load") + ("-quiet" if args.position_every <= 0 else "")
    kept = json.loads((RESULTS / f"{name}.json").read_text()) if (RESULTS / f"{name}.json").exists() else {}
    result["previous"] = {k: v for k, v in kept.items() if k != "previous"} or None
    (RESULTS / f"{name}.json").write_text(json.dumps(result, indent=2) + "\n")
    side_by_side(result, result["previous"], "previous run")
    quiet = RESULTS / f"{name}-quiet.json"
    if args.position_every > 0 and quiet.exists():
        side_by_side(result, json.loads(quiet.read_text()), "same steps without position traffic (quiet run)")
    chart(result, RESULTS / f"{name}.png")
    best = result["best_below_saturation"]
    if best:
        print(f"\nhighest step below saturation: {best['offered_per_s']:g} reports/s offered, "
              f"{best['accepted_per_s']:g}/s accepted, p99 {best['p99_ms']:.0f} ms, errors 0")
    if result["isolated_breaches"]:
        print(f"single steps with p99 > 1 s or errors (not two in a row): {result['isolated_breaches']}")
    print(f"saturation (two steps in a row with p99 > 1 s or errors): "
          f"{result['saturation_offered_per_s'] or 'not reached'}"
          f"{' reports/s offered' if result['saturation_offered_per_s'] else ''}")
    print(f"results: {RESULTS / (name + '.json')}, {RESULTS / (name + '.png')}")


if __name__ == "__main__":
    main()
