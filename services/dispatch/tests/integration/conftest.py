"""Dispatch served over real HTTP (uvicorn, in-process) against the session's PostgreSQL and broker.

The demo tenant's configuration is used with one change: ``noise`` incidents run on a
``quick`` SLA profile of seconds, so deadline tests take seconds rather than minutes.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
import yaml
from aiokafka import AIOKafkaProducer
from fastapi import FastAPI
from pydantic import BaseModel

from oneteam_contracts import (
    GeoPoint,
    IncidentReported,
    Priority,
    ReportSource,
    kafka_headers,
    new_event,
    partition_key,
)
from oneteam_devstack.ports import free_port
from oneteam_devstack.testing import Infra, read_topic, service_settings
from oneteam_dispatch.config import DEMO_DIR
from oneteam_dispatch.main import build
from oneteam_dispatch.settings import DispatchSettings
from oneteam_servicekit import ServiceSettings
from oneteam_servicekit.auth import Role, issue_token

TENANT = "330106004"
# 1.8 s ... 3.6 s; officers up to the usual 5 minutes away are still worth sending.
QUICK = {"acknowledge": 0.03, "coordinate": 0.04, "arrive": 0.05, "report": 0.06, "max_travel": 5}


@pytest.fixture(scope="session")
def config_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo configuration with a quick SLA profile for noise incidents."""
    data = yaml.safe_load((DEMO_DIR / TENANT / "responsibilities.yaml").read_text(encoding="utf-8"))
    data["sla_profiles"]["quick"] = QUICK
    for entry in data["entries"]:
        if entry["category"] == "noise":
            entry["sla_profile"] = "quick"
    folder = tmp_path_factory.mktemp("dispatch-config")
    (folder / TENANT).mkdir()
    (folder / TENANT / "responsibilities.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return folder


def dispatch_settings(infra: Infra, config_dir: Path, **changes: Any) -> DispatchSettings:
    values: dict[str, Any] = {**service_settings(infra, "dispatch"), "config_dir": str(config_dir),
                              "batch_window_ms": 50, "matcher_poll_s": 0.5, "scheduler_poll_s": 0.2}
    values.update(changes)
    return DispatchSettings(**values)


@contextlib.asynccontextmanager
async def served(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """Run `app` under uvicorn on a free loopback port (real HTTP, so push streams stream)."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on"))
    server.install_signal_handlers = lambda: None  # type: ignore[method-assign]
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
            raise RuntimeError("dispatch did not start")
        await asyncio.sleep(0.05)
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=15) as client:
            yield client
    finally:
        server.should_exit = True
        await task


@pytest.fixture(scope="module")
async def dispatch(infra: Infra, config_dir: Path) -> AsyncIterator[httpx.AsyncClient]:
    """A dispatch for this test module, with its own empty database."""
    async with served(build(dispatch_settings(infra, config_dir))) as client:
        yield client


@pytest.fixture(scope="session")
async def producer(infra: Infra) -> AsyncIterator[AIOKafkaProducer]:
    """Publishes events as intake would."""
    client = AIOKafkaProducer(bootstrap_servers=infra.bootstrap_servers)
    await client.start()
    yield client
    await client.stop()


def token(roles: list[Role], *, tenant: str | None = TENANT, officer_id: str | None = None) -> dict[str, str]:
    return {"Authorization": "Bearer " + issue_token(ServiceSettings(), f"test-{uuid.uuid4().hex[:6]}", roles,
                                                     tenant=tenant, officer_id=officer_id)}


ADMIN = token([Role.ADMIN])
COMMANDER = token([Role.COMMANDER])


def as_officer(officer_id: str, tenant: str = TENANT) -> dict[str, str]:
    return token([Role.OFFICER], tenant=tenant, officer_id=officer_id)


_areas = iter(range(1, 1000))


@dataclass
class Area:
    """A patch of map of its own, ~11 km from every other, so tests do not take each other's officers."""

    lon: float
    lat: float

    def at(self, east_m: float = 0.0, north_m: float = 0.0) -> dict[str, float]:
        return {"lon": self.lon + east_m / 96_000, "lat": self.lat + north_m / 111_000}


@pytest.fixture
def area() -> Area:
    n = next(_areas)
    return Area(lon=119.0 + 0.1 * (n % 30), lat=29.0 + 0.1 * (n // 30))


@pytest.fixture
def ids() -> Iterator[Any]:
    prefix = uuid.uuid4().hex[:6]
    yield lambda name: f"{name}-{prefix}"


async def add_officer(client: httpx.AsyncClient, officer_id: str, at: dict[str, float], *, fix: bool = True,
                      **fields: Any) -> dict[str, Any]:
    body = {"tenant": TENANT, "name": officer_id, "skills": ["street_order"], "position": at, **fields}
    response = await client.put(f"/v1/officers/{officer_id}", json=body, headers=ADMIN)
    assert response.status_code == 200, response.text
    if fix:
        await move(client, officer_id, at)
    return response.json()


async def move(client: httpx.AsyncClient, officer_id: str, at: dict[str, float], **extra: Any) -> httpx.Response:
    fix = {**at, "recorded_at": datetime.now(UTC).isoformat(), **extra}
    return await client.post(f"/v1/officers/{officer_id}/positions", json={"fixes": [fix]},
                             headers=as_officer(officer_id))


async def report_incident(producer: AIOKafkaProducer, at: dict[str, float], *, category: str = "street_vending",
                          priority: Priority = Priority.NORMAL, district: str | None = None) -> str:
    incident = IncidentReported(incident_id=uuid.uuid4(), report_id=uuid.uuid4(), category=category,
                                source=ReportSource.GRID_WORKER, priority=priority, location=GeoPoint(**at),
                                description="test", district=district, reported_at=datetime.now(UTC))
    await publish(producer, incident)
    return str(incident.incident_id)


async def publish(producer: AIOKafkaProducer, data: BaseModel, *, topic: str = "oneteam.incidents") -> None:
    """Send one event as intake would (an incident's events are keyed by its id)."""
    event = new_event(data, source="intake", tenant=TENANT, subject=str(getattr(data, "incident_id", "")))
    await producer.send_and_wait(topic, event.model_dump_json().encode(), key=partition_key(event),
                                 headers=kafka_headers(event))


async def assignment_of(client: httpx.AsyncClient, incident_id: str, timeout: float = 20.0) -> dict[str, Any]:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        found = (await client.get("/v1/assignments", params={"incident_id": incident_id}, headers=COMMANDER)).json()
        if found:
            return dict(found[0])
        await asyncio.sleep(0.1)
    raise AssertionError(f"no assignment for incident {incident_id} within {timeout} s")


def event_data(record: Any) -> dict[str, Any]:
    return dict(json.loads(record.value))


async def read_events(infra: Infra, topic: str, want: int, match: Any, timeout: float = 15.0) -> list[Any]:
    """Records of `topic` from its start that satisfy `match`, until `want` are found or `timeout` passes."""
    return await read_topic(infra.bootstrap_servers, topic, want, match, timeout)
