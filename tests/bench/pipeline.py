"""Report → assignment through the whole pipeline: intake, Kafka, dispatch, Kafka again.

Starts the suite as separate processes (embedded PostgreSQL, and the embedded broker unless
KAFKA_BOOTSTRAP_SERVERS names one) with a roster large enough that every incident can be
assigned, waits until one warm-up report has come through (consumer groups joined), then
offers reports over HTTP at fixed rates (open loop: a report is sent on schedule whether or
not earlier ones are done) and watches `assignment.created` on the assignments topic.
Latency runs from the moment a POST is sent to the moment its assignment is on Kafka, ready
for the officer's terminal. Dispatch batches what arrives within its 50 ms window, so that
window is part of every figure.

    .venv/bin/python tests/bench/pipeline.py [--rates 5,20,40,100,200,400] [--seconds 10] [--workers 2]
                                             [--officers 7750] [--hops]

Results go to results/pipeline[-kafka].json with the previous run's kept beside them, and
each step is printed next to the previous run's step at the same rate.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from bench_stats import CpuMeter, per_item_ms, percentile, stack_pids
from hops import print_hops, read_hops
from keepalive import FAILURES, Connections

from oneteam_contracts import ASSIGNMENTS
from oneteam_devstack.stack import Stack
from oneteam_devstack.testing import roster
from oneteam_servicekit import ServiceSettings
from oneteam_servicekit.auth import Role, issue_token

TENANT = "330106004"
RESULTS = Path(__file__).parent / "results"



class Watcher:
    """Notes when each incident's `assignment.created` reaches the assignments topic."""

    def __init__(self, bootstrap: str) -> None:
        self.arrived: dict[str, float] = {}
        # Partitions assigned by hand: no group to join, so watching starts at once.
        self._consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, fetch_max_wait_ms=20)
        self._task: asyncio.Task[None] | None = None
        self._news = asyncio.Event()

    async def start(self) -> None:
        await self._consumer.start()
        # Partition count from the registry: Apache Kafka's answer to topics() does not fill
        # the consumer's own metadata, so partitions_for_topic() may still know nothing.
        self._consumer.assign([TopicPartition(ASSIGNMENTS.name, p) for p in range(ASSIGNMENTS.partitions)])
        await self._consumer.seek_to_end()
        self._task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        while True:
            batch = await self._consumer.getmany(timeout_ms=100)
            now = time.perf_counter()
            for records in batch.values():
                for record in records:
                    event = json.loads(record.value)
                    if event["type"] == "assignment.created":
                        self.created(event["data"], now)
                        self._news.set()

    def created(self, data: dict[str, Any], now: float) -> None:
        """Note one `assignment.created` (its data) that reached the topic at `now`."""
        self.arrived.setdefault(data["incident_id"], now)

    async def wait_for(self, incidents: set[str], timeout: float) -> None:
        deadline = time.perf_counter() + timeout
        while not incidents <= self.arrived.keys() and time.perf_counter() < deadline:
            self._news.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._news.wait(), deadline - time.perf_counter())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
        await self._consumer.stop()


class Reporter:
    """Posts reports as a grid-worker integration would (staff are not held to the public rate limit)."""

    def __init__(self, intake: str, connections: int = 64) -> None:
        token = issue_token(ServiceSettings(), "bench-integration", [Role.GRID_WORKER], tenant=TENANT)
        self._headers = {"Authorization": f"Bearer {token}"}
        # Hand-written keep-alive connections: through httpx the generator spent 72 % of its loop
        # in its pool at 100 reports/s (py-spy) and became the pipeline's limit near 80/s.
        self._connections = Connections(intake, connections)
        self._rng = random.Random(11)
        self.sent: dict[str, float] = {}
        self.accept_ms: list[float] = []
        self.errors = 0

    async def post(self) -> str | None:
        # Spread over the tenant so reports open incidents rather than merge into one.
        body = {"tenant": TENANT, "category": "street_vending", "source": "grid_worker",
                "description": "bench report", "location": {"lon": round(self._rng.uniform(120.108, 120.142), 6),
                                                             "lat": round(self._rng.uniform(30.277, 30.303), 6)}}
        started = time.perf_counter()
        try:
            status, content = await self._connections.send(
                "/v1/reports", json.dumps(body).encode(), {**self._headers, "Idempotency-Key": str(uuid.uuid4())})
        except FAILURES:
            self.errors += 1
            return None
        if status != 201:
            self.errors += 1
            return None
        self.accept_ms.append((time.perf_counter() - started) * 1000)
        answer = json.loads(content)
        incident: str = answer["incident_id"]
        if not answer.get("merged"):  # a report merged into an open incident gets no order of its own
            self.sent[incident] = started
        return incident


async def step(reporter: Reporter, watcher: Watcher, rate: float, seconds: float,
               meter: CpuMeter | None = None) -> tuple[dict[str, Any], dict[str, tuple[float, float]]]:
    """Offer `rate` reports per second for `seconds`; latency of the incidents opened in this step,
    and (with `meter`) the CPU each process spent per accepted report meanwhile. Also each
    incident's wall-clock times: report posted, order seen (for `hops`)."""
    if meter is not None:
        meter.lap()
    reporter.sent.clear()
    reporter.accept_ms.clear()
    errors_before = reporter.errors
    began = time.perf_counter()
    tasks = []
    for n in range(round(rate * seconds)):
        await asyncio.sleep(max(0.0, began + n / rate - time.perf_counter()))
        tasks.append(asyncio.create_task(reporter.post()))
    await asyncio.gather(*tasks)
    offered_for = time.perf_counter() - began
    await watcher.wait_for(set(reporter.sent), timeout=60)
    latency = [(watcher.arrived[i] - t) * 1000 for i, t in reporter.sent.items() if i in watcher.arrived]
    cpu = per_item_ms(meter.lap(), len(reporter.accept_ms)) if meter is not None and reporter.accept_ms else {}
    wall = time.time() - time.perf_counter()
    timeline = {i: (t + wall, watcher.arrived[i] + wall) for i, t in reporter.sent.items() if i in watcher.arrived}
    return {
        "cpu_ms_per_report": cpu,
        "offered_per_s": rate, "reports": len(tasks), "accepted_per_s": len(reporter.accept_ms) / offered_for,
        "http_errors": reporter.errors - errors_before, "incidents": len(reporter.sent),
        "unassigned": len(reporter.sent) - len(latency),
        "accept_ms": {"p50": percentile(reporter.accept_ms, 50), "p99": percentile(reporter.accept_ms, 99)},
        "report_to_assignment_ms": {"p50": percentile(latency, 50), "p95": percentile(latency, 95),
                                    "p99": percentile(latency, 99),
                                    "mean": statistics.fmean(latency) if latency else float("nan")},
    }, timeline


async def drive(intake: str, bootstrap: str, rates: list[float], seconds: float, pids: dict[str, int],
                ) -> list[tuple[dict[str, Any], dict[str, tuple[float, float]]]]:
    watcher = Watcher(bootstrap)
    await watcher.start()
    try:
        reporter = Reporter(intake)
        warm = await reporter.post()  # consumer groups join on first use; not measured
        await watcher.wait_for({warm} if warm else set(), timeout=60)
        meter = CpuMeter(pids)
        return [await step(reporter, watcher, rate, seconds, meter) for rate in rates]
    finally:
        await watcher.stop()


@contextlib.contextmanager
def profiling(stack: Stack, output: Path | None) -> Iterator[None]:
    """py-spy samples the dispatch process meanwhile (idle time left out), when `output` is given."""
    if output is None:
        yield
        return
    spy = Path(sys.executable).with_name("py-spy")
    recorder = subprocess.Popen([str(spy), "record", "--pid", str(stack.processes["dispatch"].pid), "--rate", "250",
                                 "--format", "raw", "--output", str(output), "--nonblocking"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        yield
    finally:
        recorder.send_signal(signal.SIGINT)  # py-spy writes its file on interrupt
        recorder.wait(30)
        print(f"dispatch profile: {output}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rates", default="5,20,40,100,200,400",
                        help="offered reports per second, one step each (the goals: 100 and 400)")
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each step")
    parser.add_argument("--workers", type=int, default=1,
                        help="uvicorn worker processes per service (WEB_CONCURRENCY)")
    parser.add_argument("--officers", type=int, default=None,
                        help="roster size (default: one officer per report offered, plus 100); give the same "
                             "number to compare runs whose rates differ")
    parser.add_argument("--hops", action="store_true",
                        help="also print where each step's time went, hop by hop (bench/hops.py)")
    parser.add_argument("--profile-dispatch", type=Path, default=None, metavar="FILE",
                        help="sample dispatch with py-spy while reports flow; collapsed stacks to FILE")
    args = parser.parse_args()
    rates = [float(r) for r in args.rates.split(",")]
    # Every order keeps its officer busy (nobody acknowledges here), so the roster holds at
    # least one officer per report. The default grows with the rates: 5,20,40 gets 750 officers,
    # the six default rates 7 750, so two runs with different rates differ in roster too.
    officers = args.officers or int(sum(rates) * args.seconds) + 100
    with tempfile.TemporaryDirectory(prefix="oneteam-bench-") as folder:
        roster_file = Path(folder) / "roster.json"
        roster_file.write_text(json.dumps(roster(officers)))
        stack = Stack(Path(folder), durable=True, fixed_ports=False,
                      extra_env={"DISPATCH_ROSTER_FILE": str(roster_file), "LOG_LEVEL": "WARNING",
                                 "WEB_CONCURRENCY": str(args.workers)})
        try:
            stack.start_all()
            broker = "Apache Kafka" if stack.broker is None else "embedded Tansu"
            print(f"suite up: {stack.urls}  broker: {broker}  roster: {officers} officers", flush=True)
            with profiling(stack, args.profile_dispatch):
                ran = asyncio.run(drive(stack.urls["intake"], stack.bootstrap_servers, rates, args.seconds,
                                        stack_pids(stack)))
            steps = [result for result, _ in ran]
            if args.hops:  # before the stack stops: the timestamps live in its databases
                assert stack.postgres is not None
                for result, timeline in ran:
                    result["hops_ms"] = asyncio.run(read_hops(stack.postgres, timeline))
        finally:
            stack.stop()
    result = {"broker": broker, "steps": steps, "seconds_per_step": args.seconds,
              "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {sys.version.split()[0]}",
              "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "workers_per_service": args.workers,
              "load_average": os.getloadavg(), "officers": officers}
    RESULTS.mkdir(exist_ok=True)
    name = "pipeline-kafka.json" if broker == "Apache Kafka" else "pipeline.json"
    kept = json.loads((RESULTS / name).read_text()) if (RESULTS / name).exists() else {}
    result["previous"] = {k: v for k, v in kept.items() if k != "previous"} or None
    (RESULTS / name).write_text(json.dumps(result, indent=2) + "\n")
    print(f"\nreport → assignment on Kafka, {broker}, {args.seconds:.0f} s per step")
    print("offered/s  accepted/s  errors  incidents  unassigned  accept p50/p99 ms  assign p50 / p95 / p99 ms")
    for s in steps:
        acc, lat = s["accept_ms"], s["report_to_assignment_ms"]
        print(f"{s['offered_per_s']:9.0f}  {s['accepted_per_s']:10.1f}  {s['http_errors']:6d}  {s['incidents']:9d}  "
              f"{s['unassigned']:10d}  {acc['p50']:7.1f} / {acc['p99']:6.1f}  "
              f"{lat['p50']:7.0f} / {lat['p95']:5.0f} / {lat['p99']:5.0f}")
    print("\nCPU ms per accepted report, by process (the broker not counted)")
    names = sorted({n for s in steps for n in s.get("cpu_ms_per_report", {})})
    print("offered/s  " + "  ".join(f"{n[:10]:>10}" for n in names) + "       all")
    for s in steps:
        cpu = s.get("cpu_ms_per_report", {})
        print(f"{s['offered_per_s']:9.0f}  " + "  ".join(f"{cpu.get(n, float('nan')):10.2f}" for n in names)
              + f"  {sum(cpu.values()):8.2f}")
    print_hops(steps)
    side_by_side(steps, result["previous"])
    print(f"results: {RESULTS / name}")


def side_by_side(steps: list[dict[str, Any]], previous: dict[str, Any] | None) -> None:
    """Report → assignment p50/p99 at each rate next to the previous run's at the same rate."""
    if not previous:
        return
    old = {s["offered_per_s"]: s for s in previous.get("steps", [])}
    print(f"\nprevious run: {previous.get('when', '?')}, roster {previous.get('officers', '?')} officers")
    print("offered/s  accepted/s then/now  assign p50 then/now ms  assign p99 then/now ms  p99 ratio")
    for s in steps:
        before = old.get(s["offered_per_s"])
        if before is None:
            continue
        then, now = before["report_to_assignment_ms"], s["report_to_assignment_ms"]
        print(f"{s['offered_per_s']:9.0f}  {before['accepted_per_s']:9.1f} / {s['accepted_per_s']:6.1f}  "
              f"{then['p50']:10.0f} / {now['p50']:6.0f}  {then['p99']:11.0f} / {now['p99']:6.0f}  "
              f"{now['p99'] / then['p99']:9.2f}")


if __name__ == "__main__":
    main()
