"""Fixtures for the event bus ring: a fresh database with the bus tables, producers, readers."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from oneteam_devstack.testing import Infra
from oneteam_eventbus import EventProducer, KafkaConfig, bus_metadata, ensure_topics

pytestmark = pytest.mark.integration

effects_metadata = MetaData()
# A stand-in for a service's state: handlers count their effects here.
effects = Table(
    "effects", effects_metadata,
    Column("subject", String(100), primary_key=True),
    Column("count", Integer, nullable=False),
)


@pytest.fixture(scope="session")
async def kafka(infra: Infra) -> KafkaConfig:
    """Broker settings with the registry's topics created."""
    config = KafkaConfig(infra.bootstrap_servers, client_id="eventbus-tests", idempotence=infra.idempotence)
    await ensure_topics(config)
    return config


@pytest.fixture
async def engine(infra: Infra) -> AsyncIterator[AsyncEngine]:
    """A fresh database holding the outbox, the inbox and an effects table."""
    engine = create_async_engine(infra.fresh_database("bus"))
    async with engine.begin() as conn:
        await conn.run_sync(bus_metadata.create_all)
        await conn.run_sync(effects_metadata.create_all)
    yield engine
    await engine.dispose()


@pytest.fixture
async def producer(kafka: KafkaConfig) -> AsyncIterator[EventProducer]:
    """A started producer."""
    producer = EventProducer(kafka)
    await producer.start()
    yield producer
    await producer.stop()
