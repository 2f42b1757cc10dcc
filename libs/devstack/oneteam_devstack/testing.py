"""Pytest fixtures that start real infrastructure, shared by every test ring.

Loaded from the repository's root `conftest.py`. PostgreSQL is always the embedded server
(one per test session, a fresh database per use); the broker is the embedded Tansu unless
`KAFKA_BOOTSTRAP_SERVERS` names another one, which is how CI runs the suite on Apache Kafka.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from fastapi import FastAPI

from oneteam_contracts import topics
from oneteam_devstack.broker import EmbeddedBroker
from oneteam_devstack.postgres import EmbeddedPostgres


@dataclass
class Infra:
    """The session's PostgreSQL server and broker."""

    postgres: EmbeddedPostgres
    bootstrap_servers: str
    embedded_broker: bool
    data_dir: Path

    @property
    def idempotence(self) -> bool:
        """Idempotent producers work on Apache Kafka, not on Tansu."""
        return not self.embedded_broker

    def fresh_database(self, prefix: str = "test") -> str:
        """Create an empty database and return its asyncpg URL."""
        return self.postgres.create_database(f"{prefix}_{uuid.uuid4().hex[:10]}")


@pytest.fixture(scope="session")
def infra(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Infra]:
    """Real PostgreSQL and a real Kafka-protocol broker for the whole session."""
    data_dir = tmp_path_factory.mktemp("infra")
    postgres = EmbeddedPostgres(data_dir / "postgres", durable=False).start()
    external = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    broker = None if external else EmbeddedBroker(data_dir / "logs").start()
    try:
        bootstrap = broker.bootstrap_servers if broker is not None else str(external)
        yield Infra(postgres, bootstrap, broker is not None, data_dir)
    finally:
        if broker is not None:
            broker.stop()
        postgres.stop()


@contextlib.asynccontextmanager
async def serve(app: FastAPI, base_url: str = "http://service") -> AsyncIterator[httpx.AsyncClient]:
    """Run `app`'s start-up (migrations, producer, relay, consumers) and talk HTTP to it in-process."""
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=base_url) as client:
            yield client


def service_settings(infra: Infra, prefix: str) -> dict[str, object]:
    """Keyword arguments for a service's settings class: a fresh database, the session's broker."""
    return {
        "database_url": infra.fresh_database(prefix),
        "kafka_bootstrap_servers": infra.bootstrap_servers,
        "kafka_enable_idempotence": infra.idempotence,
        "log_json": False,
    }


async def read_topic(bootstrap_servers: str, topic: str, want: int, match: Callable[[Any], bool],
                     timeout: float = 20.0) -> list[Any]:
    """Read `topic` from its start until `want` records satisfy `match`, or `timeout` passes.

    Partitions are assigned by hand, from the registry's counts, so no consumer group has to
    be joined (seconds on the embedded broker) and no metadata has to be awaited.
    """
    reader = AIOKafkaConsumer(bootstrap_servers=bootstrap_servers, enable_auto_commit=False)
    await reader.start()
    found: list[Any] = []
    try:
        partitions = [TopicPartition(topic, p) for p in range(_partition_count(topic))]
        reader.assign(partitions)
        await reader.seek_to_beginning(*partitions)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while len(found) < want and loop.time() < deadline:
            batch = await reader.getmany(timeout_ms=200)
            found.extend(r for records in batch.values() for r in records if match(r))
    finally:
        await reader.stop()
    return found


def _partition_count(topic: str) -> int:
    # Dead-letter topics keep their source's partition count (oneteam_eventbus.admin).
    source = topic.removesuffix(".dlq")
    counts = {spec.name: spec.partitions for spec in topics()}
    if source not in counts:
        raise ValueError(f"{topic} is not a topic of the registry")
    return counts[source]


def roster(size: int, tenant: str = "330106004", seed: int = 7) -> list[dict[str, Any]]:
    """`size` available officers spread over the demo tenant's area, as a dispatch roster file holds them."""
    rng = random.Random(seed)
    return [{"id": f"test-{i:05d}", "tenant": tenant, "name": f"Test officer {i}", "team": "management_brigade",
             "skills": ["street_order"], "status": "available",
             "position": {"lon": round(rng.uniform(120.110, 120.140), 6),
                          "lat": round(rng.uniform(30.278, 30.302), 6)}}
            for i in range(size)]
