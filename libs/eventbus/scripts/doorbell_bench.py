"""How long a follower replica's event waits for the leading relay, with and without the doorbell.

Starts embedded PostgreSQL and the embedded broker (or uses KAFKA_BOOTSTRAP_SERVERS), runs two
relays on separate connection pools of one database, as two replicas would, commits events
through the follower (which calls `wake()` after each commit) and reads commit → published from
the outbox's own timestamps. Also the CPU both relays use while idle. Prints a table and writes
JSON to .data/bench/doorbell.json.

    .venv/bin/python libs/eventbus/scripts/doorbell_bench.py [--events 200] [--poll 0.5] [--idle 10]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

from oneteam_contracts import GeoPoint, IncidentReported, Priority, ReportSource, new_event
from oneteam_devstack import EmbeddedBroker, EmbeddedPostgres
from oneteam_eventbus import EventProducer, KafkaConfig, OutboxRelay, add_event, bus_metadata, ensure_topics, outbox


def event() -> Any:
    incident_id = uuid.uuid4()
    return new_event(IncidentReported(
        incident_id=incident_id, report_id=uuid.uuid4(), category="street_vending",
        source=ReportSource.GRID_WORKER, priority=Priority.NORMAL,
        location=GeoPoint(lon=120.125, lat=30.29), reported_at=datetime.now(UTC),
    ), source="bench", tenant="330106004", subject=str(incident_id))


async def measure(database_url: str, kafka: KafkaConfig, *, doorbell: bool, events: int, poll: float,
                  idle: float) -> dict[str, Any]:
    leader_engine, follower_engine = create_async_engine(database_url), create_async_engine(database_url)
    producer = EventProducer(kafka)
    await producer.start()
    leader = OutboxRelay(leader_engine, producer, service=f"bench-{doorbell}", poll_interval=poll, doorbell=doorbell)
    follower = OutboxRelay(follower_engine, producer, service=f"bench-{doorbell}", poll_interval=poll,
                           doorbell=doorbell)
    tasks = [asyncio.create_task(leader.run())]
    for _ in range(1000):  # until it leads
        if leader.leading:
            break
        await asyncio.sleep(0.01)
    tasks.append(asyncio.create_task(follower.run()))
    await asyncio.sleep(0.5)  # the follower has looked for the leader's doorbell
    cpu, wall = time.process_time(), time.perf_counter()
    await asyncio.sleep(idle)
    idle_cpu_ms_per_s = (time.process_time() - cpu) / (time.perf_counter() - wall) * 1000
    sessions = async_sessionmaker(follower_engine)
    ids = []
    for _ in range(events):  # a request now and then on the follower replica
        staged = event()
        ids.append(staged.id)
        async with sessions.begin() as session:
            await add_event(session, staged)
        follower.wake()
        await asyncio.sleep(0.02)
    while True:
        async with leader_engine.connect() as conn:
            rows = (await conn.execute(select(outbox.c.created_at, outbox.c.sent_at)
                                       .where(outbox.c.event_id.in_(ids)))).all()
        if all(sent is not None for _, sent in rows):
            break
        await asyncio.sleep(0.1)
    for relay in (leader, follower):
        relay.stop()
    await asyncio.gather(*tasks)
    await producer.stop()
    for engine in (leader_engine, follower_engine):
        await engine.dispose()
    waits = sorted((sent - created).total_seconds() * 1000 for created, sent in rows)
    return {"doorbell": doorbell, "events": events, "poll_s": poll,
            "p50_ms": round(statistics.median(waits), 1), "p99_ms": round(waits[int(len(waits) * 0.99) - 1], 1),
            "max_ms": round(waits[-1], 1), "idle_cpu_ms_per_s": round(idle_cpu_ms_per_s, 2)}


async def main(args: argparse.Namespace, database_url: str, bootstrap: str) -> list[dict[str, Any]]:
    engine = create_async_engine(database_url)
    async with engine.begin() as conn:
        await conn.run_sync(bus_metadata.create_all)
    await engine.dispose()
    kafka = KafkaConfig(bootstrap, client_id="doorbell-bench", idempotence=False)
    await ensure_topics(kafka)
    return [await measure(database_url, kafka, doorbell=doorbell, events=args.events, poll=args.poll,
                          idle=args.idle) for doorbell in (False, True)]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=200)
    parser.add_argument("--poll", type=float, default=0.5, help="the relay's poll interval (the default relay's)")
    parser.add_argument("--idle", type=float, default=10.0, help="seconds of idle CPU measured")
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="oneteam-doorbell-") as folder:
        postgres = EmbeddedPostgres(Path(folder) / "postgres", durable=False).start()
        external = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
        broker = None if external else EmbeddedBroker(Path(folder) / "logs").start()
        try:
            rows = asyncio.run(main(arguments, postgres.create_database("bench"),
                                    external or broker.bootstrap_servers))  # type: ignore[union-attr]
        finally:
            if broker is not None:
                broker.stop()
            postgres.stop()
    print("| doorbell | follower commit → published p50 / p99 / max ms | idle CPU, both relays (ms/s) |")
    print("|---|---|---|")
    for row in rows:
        print(f"| {'on' if row['doorbell'] else 'off'} | {row['p50_ms']} / {row['p99_ms']} / {row['max_ms']} "
              f"| {row['idle_cpu_ms_per_s']} |")
    out = Path(".data/bench/doorbell.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
                               "load_average": os.getloadavg(), "runs": rows}, indent=2))
    print(f"written to {out}")
