"""Intake running in-process against the session's real PostgreSQL and broker.

One intake per test module (each with its own empty database); a watcher reads intake's
outgoing topics without joining a consumer group, so tests wait only for their own events.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from fastapi import FastAPI

from oneteam_contracts import FEEDBACK, INCIDENTS, GeoPoint, new_event
from oneteam_devstack.testing import Infra, serve, service_settings
from oneteam_eventbus import EventProducer, KafkaConfig
from oneteam_intake.main import build
from oneteam_intake.settings import IntakeSettings
from oneteam_servicekit.auth import issue_token

from .helpers import TENANT


class MovableClock:
    """The real clock plus an offset tests can move forward (windows of minutes and hours)."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, by: timedelta) -> None:
        self.offset += by


class Spots:
    """Points inside the demo tenant ~330 m apart, so tests never merge into each other's incidents."""

    def __init__(self) -> None:
        grid = itertools.product(range(11), range(9))
        self._points = (GeoPoint(lon=round(120.1068 + 0.0035 * i, 6), lat=round(30.2768 + 0.003 * j, 6))
                        for i, j in grid)

    def next(self) -> GeoPoint:
        return next(self._points)


@dataclass
class Watcher:
    """Every event intake published to the incidents and feedback topics, as JSON."""

    events: list[dict[str, Any]] = field(default_factory=list)
    arrived: asyncio.Event = field(default_factory=asyncio.Event)

    async def wait_for(self, match: Callable[[dict[str, Any]], bool], count: int = 1,
                       timeout: float = 15.0) -> list[dict[str, Any]]:
        """The first `count` events matching, waiting up to `timeout` seconds for them."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            found = [event for event in self.events if match(event)]
            if len(found) >= count or loop.time() >= deadline:
                return found
            self.arrived.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.arrived.wait(), max(0.01, deadline - loop.time()))

    async def about(self, incident_id: str, count: int = 1, timeout: float = 15.0) -> list[dict[str, Any]]:
        """Events whose subject is `incident_id`."""
        return await self.wait_for(lambda e: e["subject"] == incident_id, count, timeout)


@dataclass
class Service:
    """An intake under test: its app, settings, clock and helpers."""

    app: FastAPI
    client: httpx.AsyncClient
    settings: IntakeSettings
    clock: MovableClock
    spots: Spots
    watcher: Watcher
    bootstrap_servers: str

    def token(self, *roles: str, subject: str | None = None, tenant: str | None = TENANT) -> dict[str, str]:
        """Authorization header of a development token with `roles`."""
        jwt = issue_token(self.settings, subject or f"user-{uuid.uuid4().hex[:8]}", list(roles), tenant=tenant)
        return {"Authorization": f"Bearer {jwt}"}

    def from_address(self, ip: str | None = None) -> httpx.AsyncClient:
        """A client whose requests come from `ip` (default: a fresh one), for per-client limits."""
        address = ip or f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}"
        transport = httpx.ASGITransport(app=self.app, client=(address, 40000))
        return httpx.AsyncClient(transport=transport, base_url="http://service")

    async def publish(self, data: Any, *, subject: str, tenant: str = TENANT) -> None:
        """Publish an event as another service would."""
        producer = EventProducer(KafkaConfig(bootstrap_servers=self.bootstrap_servers, client_id="test-peer",
                                             idempotence=False))
        await producer.start()
        try:
            await producer.publish(new_event(data, source="test-peer", tenant=tenant, subject=subject))
        finally:
            await producer.stop()


def _readable(records: list[Any]) -> list[Any]:
    # The session's broker is shared: the event bus tests put deliberately unreadable
    # messages, and binary-mode records whose value is only the data, on the incidents
    # topic. Intake publishes structured CloudEvents; only those are intake's tests' concern.
    events = []
    for record in records:
        with contextlib.suppress(ValueError):
            event = json.loads(record.value)
            if isinstance(event, dict) and event.get("source") == "intake":
                events.append(event)
    return events


async def _watch(bootstrap_servers: str, watcher: Watcher) -> None:
    reader = AIOKafkaConsumer(bootstrap_servers=bootstrap_servers, enable_auto_commit=False, group_id=None)
    await reader.start()
    try:
        partitions = [TopicPartition(topic.name, p) for topic in (INCIDENTS, FEEDBACK)
                      for p in range(topic.partitions)]
        reader.assign(partitions)
        await reader.seek_to_beginning(*partitions)
        while True:
            batch = await reader.getmany(timeout_ms=200)
            for records in batch.values():
                watcher.events.extend(_readable(records))
            if batch:
                watcher.arrived.set()
    finally:
        await reader.stop()


@pytest.fixture(scope="module")
async def service(infra: Infra, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Service]:
    """An intake started for this test module, with its own empty database and photo folder."""
    # A consumer group of its own: joining a group whose last member (the previous module's
    # intake) has just left waits out a rebalance on the embedded broker, ~15 s per module.
    settings = IntakeSettings(**service_settings(infra, "intake"),  # type: ignore[arg-type]
                              photos_dir=tmp_path_factory.mktemp("photos"),
                              consumer_group_suffix=f".test-{uuid.uuid4().hex[:8]}")
    clock = MovableClock()
    app = build(settings, clock=clock)
    watcher = Watcher()
    async with serve(app) as client:
        task = asyncio.create_task(_watch(infra.bootstrap_servers, watcher))
        try:
            yield Service(app, client, settings, clock, Spots(), watcher, infra.bootstrap_servers)
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


@pytest.fixture(scope="module")
def intake(service: Service) -> httpx.AsyncClient:
    """An HTTP client for the module's intake (anonymous unless a test adds a token)."""
    return service.client


@pytest.fixture
def public(service: Service) -> Iterator[httpx.AsyncClient]:
    """An anonymous client from an address of its own, so public rate limits never meet across tests."""
    yield service.from_address()
