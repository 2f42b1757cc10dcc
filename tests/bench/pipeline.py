"""Report → assignment through the whole pipeline: intake, Kafka, dispatch, Kafka again.

Starts the suite as separate processes (embedded PostgreSQL, and the embedded broker unless
KAFKA_BOOTSTRAP_SERVERS names one), registers a roster large enough that every report can
be assigned, posts reports over HTTP at a fixed concurrency, and watches `assignment.created`
on the assignments topic. Latency is from the moment a POST is sent to the moment its
assignment is on Kafka, i.e. ready for the officer's terminal.

    .venv/bin/python tests/bench/pipeline.py [--reports 1000] [--concurrency 16]
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
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer, TopicPartition

from oneteam_devstack.stack import Stack
from oneteam_devstack.testing import roster

TENANT = "330106004"
RESULTS = Path(__file__).parent / "results"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


async def watch_assignments(bootstrap: str, sent: dict[str, float], done: dict[str, float],
                            expected: int, ready: asyncio.Event) -> None:
    # Partitions assigned by hand: no group to join, so watching starts at once.
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, fetch_max_wait_ms=20)
    await consumer.start()
    try:
        await consumer.topics()  # fetches metadata, so the topic's partitions are known
        partitions = consumer.partitions_for_topic("oneteam.assignments") or set()
        consumer.assign([TopicPartition("oneteam.assignments", p) for p in partitions])
        await consumer.seek_to_end()
        ready.set()
        while len(done) < expected:
            batch = await consumer.getmany(timeout_ms=200)
            now = time.perf_counter()
            for records in batch.values():
                for record in records:
                    event = json.loads(record.value)
                    incident = event["data"]["incident_id"]
                    if event["type"] == "assignment.created" and incident in sent and incident not in done:
                        done[incident] = now
    finally:
        await consumer.stop()


async def drive(intake: str, reports: int, concurrency: int, bootstrap: str) -> dict[str, Any]:
    sent: dict[str, float] = {}
    done: dict[str, float] = {}
    accept_ms: list[float] = []
    errors = 0
    ready = asyncio.Event()
    watcher = asyncio.create_task(watch_assignments(bootstrap, sent, done, reports, ready))
    await ready.wait()
    queue: asyncio.Queue[int] = asyncio.Queue()
    for n in range(reports):
        queue.put_nowait(n)
    rng = random.Random(11)

    async def worker(client: httpx.AsyncClient) -> None:
        nonlocal errors
        while not queue.empty():
            queue.get_nowait()
            body = {"tenant": TENANT, "category": "street_vending", "description": "bench report",
                    "location": {"lon": round(rng.uniform(120.112, 120.138), 6),
                                 "lat": round(rng.uniform(30.280, 30.300), 6)}}
            started = time.perf_counter()
            response = await client.post(f"{intake}/v1/reports", json=body,
                                         headers={"Idempotency-Key": str(uuid.uuid4())})
            if response.status_code != 201:
                errors += 1
                continue
            accept_ms.append((time.perf_counter() - started) * 1000)
            sent[response.json()["incident_id"]] = started

    began = time.perf_counter()
    async with httpx.AsyncClient(timeout=30) as client:
        await asyncio.gather(*(worker(client) for _ in range(concurrency)))
    accepted_at = time.perf_counter()
    with contextlib.suppress(TimeoutError):  # what never arrived is reported as unassigned
        await asyncio.wait_for(watcher, timeout=120)
    finished = time.perf_counter()
    latency = [(done[i] - sent[i]) * 1000 for i in done if i in sent]
    return {
        "reports": reports, "concurrency": concurrency, "http_errors": errors,
        "assigned": len(latency), "missing": len(sent) - len(latency),
        "accept_ms": {"p50": percentile(accept_ms, 50), "p95": percentile(accept_ms, 95),
                      "p99": percentile(accept_ms, 99)},
        "report_to_assignment_ms": {"p50": percentile(latency, 50), "p95": percentile(latency, 95),
                                    "p99": percentile(latency, 99), "mean": statistics.fmean(latency),
                                    "max": max(latency)},
        "accepted_per_s": len(accept_ms) / (accepted_at - began),
        "assigned_per_s": len(latency) / (finished - began),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reports", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="oneteam-bench-") as folder:
        roster_file = Path(folder) / "roster.json"
        roster_file.write_text(json.dumps(roster(args.reports + 50)))
        stack = Stack(Path(folder), durable=True, fixed_ports=False,
                      extra_env={"DISPATCH_ROSTER_FILE": str(roster_file), "LOG_LEVEL": "WARNING"})
        try:
            stack.start_all()
            broker = "Apache Kafka" if stack.broker is None else "embedded Tansu"
            print(f"suite up: {stack.urls}  broker: {broker} at {stack.bootstrap_servers}", flush=True)
            result = asyncio.run(drive(stack.urls["intake"], args.reports, args.concurrency, stack.bootstrap_servers))
        finally:
            stack.stop()
    result.update(broker=broker, machine=f"{platform.machine()}, {os.cpu_count()} cores, Python "
                  f"{sys.version.split()[0]}", when=time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()))
    RESULTS.mkdir(exist_ok=True)
    name = "pipeline-kafka.json" if broker == "Apache Kafka" else "pipeline.json"
    (RESULTS / name).write_text(json.dumps(result, indent=2) + "\n")
    lat, acc = result["report_to_assignment_ms"], result["accept_ms"]
    print(f"\nreport → assignment, {result['reports']} reports at concurrency {result['concurrency']}, {broker}")
    print(f"  accepted/s {result['accepted_per_s']:8.1f}   assigned/s {result['assigned_per_s']:8.1f}   "
          f"errors {result['http_errors']}   unassigned {result['missing']}")
    print(f"  accept  ms  p50 {acc['p50']:7.1f}  p95 {acc['p95']:7.1f}  p99 {acc['p99']:7.1f}")
    print(f"  assign  ms  p50 {lat['p50']:7.1f}  p95 {lat['p95']:7.1f}  p99 {lat['p99']:7.1f}  max {lat['max']:7.1f}")
    print(f"results: {RESULTS / name}")


if __name__ == "__main__":
    main()
