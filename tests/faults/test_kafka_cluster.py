"""A three-node Apache Kafka cluster loses a broker to kill -9 under load: nothing lost or stuck.

Runs where `ONETEAM_KAFKA_CLUSTER=1` (`make test-kafka` sets it): it starts a cluster of its
own with deploy/kafka/kafka.sh, so it needs the Kafka jars and Java 17.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aiokafka.admin import AIOKafkaAdminClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine

from oneteam_devstack.testing import Infra, read_topic
from oneteam_eventbus import EventConsumer, EventProducer, KafkaConfig, OutboxRelay, add_event, bus_metadata
from oneteam_eventbus.admin import ensure_topics

from .effects import count_effect, effects, effects_metadata, merged, reported

pytestmark = [
    pytest.mark.cluster,
    pytest.mark.skipif(not os.environ.get("ONETEAM_KAFKA_CLUSTER"), reason="set ONETEAM_KAFKA_CLUSTER=1"),
]

KAFKA_SH = Path(__file__).resolve().parents[2] / "deploy" / "kafka" / "kafka.sh"


@dataclass
class Cluster:
    """A running three-node cluster and the environment that addresses it."""

    bootstrap: str
    env: dict[str, str]

    def kafka(self, *args: str) -> None:
        subprocess.run([str(KAFKA_SH), *args], env=self.env, check=True, capture_output=True, text=True)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    env = {**os.environ, "KAFKA_RUN_DIR": str(tmp_path_factory.mktemp("kafka3")),
           "KAFKA_HEAP_OPTS": "-Xms128m -Xmx384m"}
    started = subprocess.run([str(KAFKA_SH), "start", "--nodes", "3"], env=env, check=True,
                             capture_output=True, text=True)
    cluster = Cluster(started.stdout.strip().splitlines()[-1], env)
    yield cluster
    subprocess.run([str(KAFKA_SH), "stop"], env=env, check=False, capture_output=True)


@pytest.fixture
async def engine(infra: Infra) -> AsyncIterator[AsyncEngine]:
    engine = create_async_engine(infra.fresh_database("cluster"))
    async with engine.begin() as conn:
        await conn.run_sync(bus_metadata.create_all)
        await conn.run_sync(effects_metadata.create_all)
    yield engine
    await engine.dispose()


async def test_topics_get_three_replicas_on_three_brokers_without_being_told(cluster: Cluster) -> None:
    await ensure_topics(KafkaConfig(cluster.bootstrap, client_id="cluster-test"))

    admin = AIOKafkaAdminClient(bootstrap_servers=cluster.bootstrap)
    await admin.start()
    try:
        # A broker other than the controller may describe a topic just created before it has
        # heard of its partitions (an empty list, seen once in CI): ask again for up to 10 s.
        for _ in range(50):
            described = await admin.describe_topics(["oneteam.incidents", "oneteam.assignments.dlq"])
            if all(t["partitions"] for t in described):
                break
            await asyncio.sleep(0.2)
    finally:
        await admin.close()
    assert {min(len(p["replicas"]) for p in t["partitions"]) for t in described} == {3}


async def test_broker_killed_and_restarted_under_load_loses_and_doubles_nothing(
    cluster: Cluster, engine: AsyncEngine,
) -> None:
    config = KafkaConfig(cluster.bootstrap, client_id="cluster-test", idempotence=True)
    await ensure_topics(config)
    producer = EventProducer(config)
    await producer.start()
    relay = OutboxRelay(engine, producer, service="cluster-test", poll_interval=0.1, max_backoff=2.0)
    consumer = EventConsumer(config, group_id=f"cluster-{uuid.uuid4().hex[:6]}", service="cluster-test",
                             handlers={"incident.reported": count_effect, "incident.merged": count_effect},
                             sessions=async_sessionmaker(engine), dead_letters=producer)
    await consumer.start()
    tasks = [asyncio.create_task(relay.run()), asyncio.create_task(consumer.run())]
    incidents = [uuid.uuid4() for _ in range(40)]
    written: list[Any] = []
    try:
        writer = asyncio.create_task(_write(engine, relay, incidents, written, rounds=8, pause=0.03))
        await asyncio.sleep(2)
        await asyncio.to_thread(cluster.kafka, "kill-node", "2")
        await asyncio.sleep(5)
        await asyncio.to_thread(cluster.kafka, "start-node", "2")
        await writer
        handled = await _wait_handled(engine, incidents, per_incident=8, timeout=120)
    finally:
        relay.stop()
        await consumer.stop()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await producer.stop()

    assert handled == {str(i): 8 for i in incidents}, "every event handled exactly once"
    keys = {str(i).encode() for i in incidents}
    found = await read_topic(cluster.bootstrap, "oneteam.incidents", len(written), lambda r: r.key in keys,
                             timeout=30)
    first_seen: dict[bytes, list[str]] = {}
    for record in found:
        ids = first_seen.setdefault(record.key, [])
        event_id = json.loads(record.value)["id"]
        if event_id not in ids:
            ids.append(event_id)
    expected: dict[bytes, list[str]] = {}
    for event in written:
        expected.setdefault(str(event.subject).encode(), []).append(str(event.id))
    assert first_seen == expected, "each incident's events first arrive in commit order"
    assert len(found) < 2 * len(written), "re-sends stay the exception, not a flood"


async def _write(engine: AsyncEngine, relay: OutboxRelay, incidents: list[uuid.UUID], written: list[Any], *,
                 rounds: int, pause: float) -> None:
    sessions = async_sessionmaker(engine)
    for n in range(rounds):
        for incident_id in incidents:
            event = reported(incident_id) if n == 0 else merged(incident_id, n + 1)
            async with sessions.begin() as session:
                await add_event(session, event)
            written.append(event)
            relay.wake()
            await asyncio.sleep(pause)


async def _wait_handled(engine: AsyncEngine, incidents: list[uuid.UUID], *, per_incident: int,
                        timeout: float) -> dict[str, int]:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        async with engine.connect() as conn:
            rows = (await conn.execute(select(effects.c.subject, effects.c.count))).all()
        counts = {row.subject: row.count for row in rows}
        done = len(counts) == len(incidents) and all(c >= per_incident for c in counts.values())
        if done or loop.time() > deadline:
            await asyncio.sleep(1 if done else 0)  # room for a wrong extra effect to show
            async with engine.connect() as conn:
                rows = (await conn.execute(select(effects.c.subject, effects.c.count))).all()
            return {row.subject: row.count for row in rows}
        await asyncio.sleep(0.5)
