"""Pytest fixtures that start real infrastructure, shared by every test ring.

Loaded from the repository's root `conftest.py`. PostgreSQL is always the embedded server
(one per test session, a fresh database per use); the broker is the embedded Tansu unless
`KAFKA_BOOTSTRAP_SERVERS` names another one, which is how CI runs the suite on Apache Kafka.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

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
