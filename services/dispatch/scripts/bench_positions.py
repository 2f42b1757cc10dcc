"""Officers' GPS fixes through dispatch: how many are accepted per second, how fast, at what CPU cost.

    .venv/bin/python services/dispatch/scripts/bench_positions.py                 # 2 000 officers, 400 fixes/s
    .venv/bin/python services/dispatch/scripts/bench_positions.py --rate 200 --seconds 20
    .venv/bin/python services/dispatch/scripts/bench_positions.py --src /tmp/old-tree --label before
    .venv/bin/python services/dispatch/scripts/bench_positions.py --transport stream   # over the WebSocket

It starts embedded PostgreSQL and the embedded broker (or KAFKA_BOOTSTRAP_SERVERS) under a
temporary folder and dispatch as its own uvicorn process, as `make run` does, with a roster of
N officers. Then it posts one fix per request, open-loop: request i leaves at i / rate seconds
whatever the earlier ones are doing, from officer i mod N (so each officer sends every N / rate
seconds: 2 000 at 400/s is a fix every 5 s, the load test's figure), each within a few metres of
their post, as officers between orders are (the load test's too). Latency counts from the
moment a request was due, so a server that falls behind cannot hide it. `--transport stream`
sends each fix as a frame on the officer's own position stream (a WebSocket per officer, all
opened before the clock starts) instead of a POST.

Printed and kept in results/positions.json (latest and previous): accepted fixes/s, p50/p99
latency, refusals, and the CPU milliseconds dispatch and PostgreSQL spend per fix (process CPU
time with their children, as tests/bench/intake.py counts it: comparable on a busy machine where
rates are not). `--src DIR` runs dispatch from another checkout's services/dispatch, libs and contracts
(PYTHONPATH goes before the editable installs), so the code before a change is measured back to back.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import signal
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "tests" / "bench"))
import load_api as api
from bench_stats import CpuMeter, own_service, percentile
from fix_stream import STREAM_FAILURES, FixStream, close_streams, open_streams
from keepalive import FAILURES, Connections

from oneteam_servicekit import ServiceSettings
from oneteam_servicekit.auth import issue_token

TENANT = "330106004"
RESULTS = Path(__file__).parent / "results" / "positions.json"


def roster_spot(n: int) -> dict[str, float]:
    """Where officer n is posted."""
    return {"lon": 120.106 + (n % 50) * 0.0008, "lat": 30.276 + (n // 50 % 40) * 0.0007}


def roster(count: int) -> dict[str, Any]:
    """`count` officers spread over the demo tenant, all available."""
    return {"tenant": TENANT, "officers": [
        {"id": f"bench-{n:05d}", "name": f"bench {n}", "skills": ["street_order"], "position": roster_spot(n)}
        for n in range(count)]}


@contextlib.contextmanager
def own_dispatch(folder: Path, officers: int, src: str | None,
                 flush_ms: int | None) -> Iterator[tuple[str, dict[str, int]]]:
    """Embedded infrastructure and dispatch as its own process; its URL and the pids whose CPU to count."""
    (folder / "roster.json").write_text(json.dumps(roster(officers)))
    env = {"DISPATCH_ROSTER_FILE": str(folder / "roster.json")}
    if flush_ms is not None:
        env["DISPATCH_POSITION_FLUSH_MS"] = str(flush_ms)
    if src:
        # Dispatch and the libraries under it (its position events go through the event bus).
        env["PYTHONPATH"] = os.pathsep.join(str(Path(src).resolve() / part) for part in (
            "services/dispatch", "libs/eventbus", "libs/servicekit", "contracts"))
    with own_service("dispatch", folder / "stack", env) as found:
        yield found


def tokens_of(officers: int) -> dict[str, str]:
    """Each bench officer's token."""
    settings = ServiceSettings()
    return {f"bench-{n:05d}": issue_token(settings, f"bench-app-{n}", ["officer"], tenant=TENANT,
                                          officer_id=f"bench-{n:05d}") for n in range(officers)}


async def post_fixes(pool: Connections | dict[str, FixStream], tokens: dict[str, str], rate: float, seconds: float,
                     offset: int = 0) -> dict[str, Any]:
    """Open-loop fixes at `rate` per second for `seconds`, posted or streamed; what came back."""
    officers = len(tokens)
    latencies: list[float] = []
    outcomes: Counter[str] = Counter()
    loop = asyncio.get_running_loop()
    send_fix = api.posted_fixes(pool, tokens) if isinstance(pool, Connections) else api.streamed_fixes(pool)

    async def one(n: int, due: float) -> None:
        officer = (n + offset) % officers
        post = roster_spot(officer)  # a few metres of GPS noise around it, as an officer on foot between orders
        try:
            await send_fix(f"bench-{officer:05d}", post["lon"] + (n // officers % 3) * 0.00003, post["lat"])
        except api.ApiError as refused:
            outcomes[f"http {refused.status}"] += 1
            return
        except (*FAILURES, *STREAM_FAILURES) as error:
            outcomes[type(error).__name__] += 1
            return
        outcomes["http 200"] += 1
        latencies.append((loop.time() - due) * 1000)

    total = int(rate * seconds)
    began = loop.time()
    tasks = []
    for n in range(total):
        due = began + n / rate
        delay = due - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(n, due)))
    await asyncio.gather(*tasks)
    elapsed = loop.time() - began
    return {"offered_per_s": rate, "accepted_per_s": len(latencies) / elapsed, "elapsed_s": elapsed,
            "p50_ms": percentile(latencies, 50), "p99_ms": percentile(latencies, 99),
            "max_ms": max(latencies, default=float("nan")), "outcomes": dict(outcomes), "fixes": total}


def side_by_side(latest: dict[str, Any], previous: dict[str, Any] | None) -> None:
    """The figures next to the previous run's."""
    rows = [("offered fixes/s", "offered_per_s"), ("accepted fixes/s", "accepted_per_s"),
            ("p50 ms", "p50_ms"), ("p99 ms", "p99_ms"), ("dispatch CPU ms/fix", "cpu:dispatch"),
            ("postgres CPU ms/fix", "cpu:postgres"), ("broker CPU ms/fix", "cpu:broker")]

    def value(run: dict[str, Any] | None, key: str) -> str:
        if run is None:
            return "—"
        found = run.get("cpu_ms", {}).get(key[4:]) if key.startswith("cpu:") else run.get(key)
        return "—" if found is None else f"{found:.2f}" if found < 10 else f"{found:.0f}"

    print(f"{'':22} {'previous':>10} {'latest':>10}")
    if previous is not None:
        print(f"{'label':22} {previous.get('label', '')[:10]:>10} {latest.get('label', '')[:10]:>10}")
    for label, key in rows:
        print(f"{label:22} {value(previous, key):>10} {value(latest, key):>10}")


@contextlib.contextmanager
def profiled(pid: int, output: str | None, seconds: float) -> Iterator[None]:
    """py-spy samples dispatch for the measured window (root, or ptrace allowed), when asked."""
    if not output:
        yield
        return
    fmt = "raw" if output.endswith(".txt") else "speedscope" if output.endswith(".json") else "flamegraph"
    spy = subprocess.Popen([str(Path(sys.executable).parent / "py-spy"), "record", "-p", str(pid), "-d",
                            str(int(seconds)), "-r", "50", "-f", fmt, "-o", output], stdout=subprocess.DEVNULL)
    try:
        yield
    finally:
        spy.wait(30)


async def main(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory(prefix="positions-bench-") as folder, \
            own_dispatch(Path(folder), args.officers, args.src, args.flush_ms) as (url, pids):
        tokens = tokens_of(args.officers)
        pool = Connections(url, args.connections) if args.transport == "post" else await open_streams(url, tokens)
        try:
            await post_fixes(pool, tokens, min(args.rate, 100), 3, offset=1)  # warm-up
            meter = CpuMeter(pids)
            with profiled(pids["dispatch"], args.profile, args.seconds):
                latest = await post_fixes(pool, tokens, args.rate, args.seconds)
            spent = meter.lap()
        finally:
            if isinstance(pool, dict):
                await close_streams(pool)
    accepted = latest["outcomes"].get("http 200", 0)
    latest["cpu_ms"] = {name: s * 1000 / max(accepted, 1) for name, s in spent.items()}
    latest.update(officers=args.officers, transport=args.transport, label=args.label,
                  flush_ms=args.flush_ms, src=args.src or "this tree",
                  machine=f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
                  load_average=os.getloadavg(), when=datetime.now(UTC).isoformat(timespec="seconds"))
    print(f"\ndispatch positions — {args.officers} officers, {args.rate:g} fixes/s offered for {args.seconds:g} s "
          f"({'one POST' if args.transport == 'post' else 'one WebSocket frame'} a fix), "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
    print(f"accepted {latest['accepted_per_s']:.0f}/s, p50 {latest['p50_ms']:.0f} ms, p99 {latest['p99_ms']:.0f} ms, "
          f"{latest['outcomes']}")
    kept = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    side_by_side(latest, kept.get("latest"))
    if not args.no_save:
        RESULTS.parent.mkdir(exist_ok=True)
        RESULTS.write_text(json.dumps({"latest": latest, "previous": kept.get("latest")}, indent=2) + "\n")
        print(f"written to {RESULTS}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--officers", type=int, default=2000)
    parser.add_argument("--rate", type=float, default=400, help="fixes offered per second (open loop)")
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--transport", choices=("post", "stream"), default="post",
                        help="a POST per fix, or a frame per fix on each officer's WebSocket")
    parser.add_argument("--connections", type=int, default=256,
                        help="keep-alive connections (requests beyond wait, counted in latency)")
    parser.add_argument("--flush-ms", type=int, help="DISPATCH_POSITION_FLUSH_MS (default: dispatch's own)")
    parser.add_argument("--src", help="a checkout whose services/dispatch to run instead of this tree's")
    parser.add_argument("--profile", help="py-spy the dispatch process while measuring: a .svg flame graph, "
                                          ".txt collapsed stacks or .json speedscope file")
    parser.add_argument("--label", default="", help="a note kept with the results (what changed)")
    parser.add_argument("--no-save", action="store_true", help="print only; keep the results file as it is")
    arguments = parser.parse_args()

    def stop(*_: object) -> None:
        raise KeyboardInterrupt  # so the stack's processes are stopped on the way out

    signal.signal(signal.SIGTERM, stop)
    asyncio.run(main(arguments))
