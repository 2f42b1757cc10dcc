"""Intake's own figures: how fast reports are accepted, singly and as 200-detection camera batches.

Acceptance = the HTTP answer that the report is stored with its incident and its event is in
the outbox (what a phone waits for). Two modes:

    .venv/bin/python tests/bench/intake.py                         # starts its own intake (see below)
    .venv/bin/python tests/bench/intake.py --url http://127.0.0.1:8101   # drives a running one (make run)

Without --url it starts embedded PostgreSQL and the embedded broker (or KAFKA_BOOTSTRAP_SERVERS)
under a temporary folder and intake as a separate uvicorn process, exactly as `make run` does
(oneteam_devstack.stack), so the figures include HTTP and the load generator does not share
intake's event loop (only the machine's CPUs). Reports are sent as grid workers (staff are not rate-limited) at random
points of the demo tenant with a mix of categories, so some merge as they would in life. Camera
uploads (200 detections from 300 cameras) are encoded before their clock starts, as a gateway on
its own machine would, so the client's JSON work does not take intake's cores.
Tokens are signed with JWT_SECRET or the development default, as the services verify them.

Besides rates and latencies it counts the CPU milliseconds intake and PostgreSQL spend per
report (per detection for cameras): on a machine shared with other work those compare runs
fairly where rates do not. With --url, give --pids intake=PID,postgres=PID to count them.
Results go to tests/bench/results/intake.json (latest and previous), printed side by side.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import random
import statistics
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from bench_stats import CpuMeter, own_service, per_item_ms, percentile
from keepalive import Connections

from oneteam_servicekit import ServiceSettings
from oneteam_servicekit.auth import issue_token

TENANT = "330106004"
CATEGORIES = ["street_vending", "e_bike_parking", "dumped_waste", "noise", "shop_encroachment", "illegal_parking",
              "fire_hazard", "food_safety", "dispute", "unlicensed_construction"]
LABELS = ["street_vendor", "ebike_misparked", "garbage_pile", "shop_outside_business"]



def spot(rng: random.Random) -> dict[str, float]:
    return {"lon": round(rng.uniform(120.106, 120.144), 6), "lat": round(rng.uniform(30.276, 30.304), 6)}


async def single_reports(connections: Connections, count: int, concurrency: int) -> dict[str, Any]:
    """`count` reports from `concurrency` phones at once; acceptance latency and throughput."""
    rng = random.Random(7)
    token = "Bearer " + issue_token(ServiceSettings(), "bench-grid", ["grid_worker"], tenant=TENANT)
    latencies: list[float] = []
    outcomes: Counter[str] = Counter()
    queue: asyncio.Queue[int] = asyncio.Queue()
    for n in range(count):
        queue.put_nowait(n)

    async def phone() -> None:
        while not queue.empty():
            queue.get_nowait()
            body = {"tenant": TENANT, "category": rng.choice(CATEGORIES), "description": "bench report 基准测试",
                    "location": spot(rng), "source": "grid_worker",
                    "contact": {"name": "测试", "phone": "13800000000"}}
            encoded = json.dumps(body).encode()
            started = time.perf_counter()
            status, answer = await connections.send(
                "/v1/reports", encoded, {"Authorization": token, "Idempotency-Key": str(uuid.uuid4())})
            if status != 201:
                outcomes[f"http {status}"] += 1
                continue
            latencies.append((time.perf_counter() - started) * 1000)
            outcomes["merged" if json.loads(answer)["merged"] else "opened"] += 1

    began = time.perf_counter()
    await asyncio.gather(*(phone() for _ in range(concurrency)))
    elapsed = time.perf_counter() - began
    return {"accepted_per_s": len(latencies) / elapsed, "p50_ms": percentile(latencies, 50),
            "p99_ms": percentile(latencies, 99), "mean_ms": statistics.fmean(latencies), "outcomes": dict(outcomes)}


def camera_bodies(batches: int, size: int) -> list[bytes]:
    """The uploads' bodies, `size` detections each from many cameras across the tenant, encoded
    before the clock starts: a real gateway builds them on its own machine, not intake's cores."""
    rng = random.Random(11)
    now = datetime.now(UTC).isoformat()
    bodies = []
    for _ in range(batches):
        detections = [{"detection_id": uuid.uuid4().hex, "camera_id": f"bench-cam-{rng.randrange(300)}",
                       "label": rng.choice(LABELS), "confidence": round(rng.uniform(0.4, 0.99), 2),
                       "detected_at": now, "location": spot(rng)} for _ in range(size)]
        bodies.append(json.dumps({"tenant": TENANT, "detections": detections}).encode())
    return bodies


async def camera_batches(client: httpx.AsyncClient, url: str, batches: int, size: int,
                         concurrency: int) -> dict[str, Any]:
    """`batches` uploads of `size` detections each, `concurrency` of them in flight (gateways at once)."""
    headers = {"Authorization": "Bearer " + issue_token(ServiceSettings(), "bench-camera-gateway", ["commander"],
                                                        tenant=TENANT), "Content-Type": "application/json"}
    latencies: list[float] = []
    outcomes: Counter[str] = Counter()
    queue: asyncio.Queue[bytes] = asyncio.Queue()
    for body in camera_bodies(batches, size):
        queue.put_nowait(body)

    async def gateway() -> None:
        while not queue.empty():
            body = queue.get_nowait()
            started = time.perf_counter()
            response = await client.post(f"{url}/v1/detections", content=body, headers=headers)
            if response.status_code != 200:
                outcomes[f"http {response.status_code}"] += 1
                continue
            latencies.append((time.perf_counter() - started) * 1000)
            outcomes.update(response.json()["counts"])

    began = time.perf_counter()
    await asyncio.gather(*(gateway() for _ in range(concurrency)))
    elapsed = time.perf_counter() - began
    return {"batches_per_s": len(latencies) / elapsed, "detections_per_s": len(latencies) * size / elapsed,
            "p50_ms": percentile(latencies, 50), "p99_ms": percentile(latencies, 99), "outcomes": dict(outcomes),
            "batches": batches, "batch_size": size, "concurrency": concurrency}


RESULTS = Path(__file__).parent / "results" / "intake.json"


@contextlib.contextmanager
def own_intake(workers: int) -> Iterator[tuple[str, dict[str, int]]]:
    """Intake as its own process on embedded infrastructure; its URL and the pids whose CPU to count."""
    with (tempfile.TemporaryDirectory(prefix="intake-bench-") as folder,
          own_service("intake", Path(folder), {"WEB_CONCURRENCY": str(workers)}) as found):
        yield found


def side_by_side(latest: dict[str, Any], previous: dict[str, Any] | None) -> None:
    """The figures next to the previous run's."""
    rows = [("reports/s", "singles", "accepted_per_s"), ("report p50 ms", "singles", "p50_ms"),
            ("report p99 ms", "singles", "p99_ms"), ("detections/s", "cameras", "detections_per_s"),
            ("batch p99 ms", "cameras", "p99_ms")]
    for part in ("singles", "cameras"):
        for name in latest[part].get("cpu_ms", {}):
            rows.append((f"{name} CPU ms/{'report' if part == 'singles' else 'detection'}", part, f"cpu:{name}"))

    def value(run: dict[str, Any] | None, part: str, key: str) -> str:
        if run is None:
            return "—"
        figures = run.get(part, {})
        found = figures.get("cpu_ms", {}).get(key[4:]) if key.startswith("cpu:") else figures.get(key)
        return "—" if found is None else f"{found:.2f}" if found < 10 else f"{found:.0f}"

    print(f"{'':28} {'previous':>10} {'latest':>10}")
    for label, part, key in rows:
        print(f"{label:28} {value(previous, part, key):>10} {value(latest, part, key):>10}")


async def main(args: argparse.Namespace) -> None:
    async with contextlib.AsyncExitStack() as stack:
        if args.url:
            url = args.url
            pids = {name: int(pid) for name, pid in (part.split("=") for part in args.pids.split(",") if part)}
        else:
            url, pids = stack.enter_context(own_intake(args.workers))
        limits = httpx.Limits(max_connections=args.concurrency * 2)
        client = await stack.enter_async_context(httpx.AsyncClient(timeout=60, limits=limits))
        phones = Connections(url, args.concurrency)
        await single_reports(phones, min(100, args.reports), args.concurrency)  # warm-up
        meter, own = CpuMeter(pids), time.process_time()
        singles = await single_reports(phones, args.reports, args.concurrency)
        singles["cpu_ms"] = per_item_ms({**meter.lap(), "bench": time.process_time() - own}, args.reports)
        cameras = await camera_batches(client, url, args.batches, args.batch_size, args.camera_concurrency)
        cameras["cpu_ms"] = per_item_ms(meter.lap(), args.batches * args.batch_size)
    print(f"\nintake acceptance — {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
          f"{'own intake process' if not args.url else args.url}")
    print(f"single reports: {args.reports} at concurrency {args.concurrency}: "
          f"{singles['accepted_per_s']:.0f} accepted/s, p50 {singles['p50_ms']:.1f} ms, "
          f"p99 {singles['p99_ms']:.1f} ms  {singles['outcomes']}")
    print(f"camera batches: {args.batches} × {args.batch_size} detections at concurrency "
          f"{args.camera_concurrency}: {cameras['detections_per_s']:.0f} detections/s, "
          f"p50 {cameras['p50_ms']:.0f} ms, p99 {cameras['p99_ms']:.0f} ms per batch  {cameras['outcomes']}")
    latest = {"singles": singles, "cameras": cameras, "reports": args.reports, "concurrency": args.concurrency,
              "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
              "load_average": os.getloadavg(), "workers": args.workers,
              "when": datetime.now(UTC).isoformat(timespec="seconds"), "label": args.label}
    kept = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    side_by_side(latest, kept.get("latest"))
    if not args.no_save:
        RESULTS.write_text(json.dumps({"latest": latest, "previous": kept.get("latest")}, indent=2) + "\n")
        print(f"written to {RESULTS}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", help="a running intake (default: start one in this process)")
    parser.add_argument("--reports", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=32,
                        help="phones sending at once (32, as issue 13 measured intake at the start)")
    parser.add_argument("--batches", type=int, default=100,
                        help="camera uploads (20 000 detections by default: long enough that the reads' "
                             "growth with the stored reports shows)")
    parser.add_argument("--batch-size", type=int, default=200)
    parser.add_argument("--camera-concurrency", type=int, default=2,
                        help="uploads in flight at once: a subdistrict's camera gateways (a platform or two) "
                             "each send one batch at a time")
    parser.add_argument("--pids", default="", help="with --url: name=pid,... whose CPU to count "
                                                  "(intake's uvicorn, PostgreSQL's postmaster)")
    parser.add_argument("--workers", type=int, default=1, help="intake's uvicorn worker processes (own intake)")
    parser.add_argument("--label", default="", help="a note kept with the results (what changed)")
    parser.add_argument("--no-save", action="store_true", help="print only; keep the results file as it is")
    asyncio.run(main(parser.parse_args()))
