"""Mediation against the session's PostgreSQL and broker, in-process, with a clock tests can move."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer
from fastapi import FastAPI

from oneteam_contracts import kafka_headers, new_event, partition_key, spec_for
from oneteam_devstack.testing import Infra, read_topic, service_settings
from oneteam_mediation.main import build
from oneteam_mediation.settings import MediationSettings
from oneteam_servicekit import ServiceSettings
from oneteam_servicekit.auth import Role, issue_token

TENANT = "330106004"
OTHER_TENANT = "330106005"
ID_ZHANG = "11010519491231002X"  # valid check digits (GB 11643), invented people
ID_LI = "110105198506150049"


class MovableClock:
    """Real time plus an offset the test moves forward: reminders and limits come due at once."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset


def settings(infra: Infra, **changes: Any) -> MediationSettings:
    values: dict[str, Any] = {**service_settings(infra, "mediation"), "scheduler_poll_s": 0.2, **changes}
    return MediationSettings(**values)


def build_app(config: MediationSettings, clock: MovableClock | None = None) -> FastAPI:
    return build(config, clock or MovableClock())


def token(roles: list[Role], *, tenant: str = TENANT, officer_id: str | None = None) -> dict[str, str]:
    return {"Authorization": "Bearer " + issue_token(ServiceSettings(), f"test-{uuid.uuid4().hex[:6]}", roles,
                                                     tenant=tenant, officer_id=officer_id)}


def staff(officer_id: str, tenant: str = TENANT) -> dict[str, str]:
    """An officer token: a mediator when `officer_id` is in the registry."""
    return token([Role.OFFICER], tenant=tenant, officer_id=officer_id)


COMMANDER = token([Role.COMMANDER])
AUDITOR = token([Role.AUDITOR])
MEDIATOR = staff("cy-med-01")


def next_weekday_at(clock: MovableClock, hour: int, days_ahead: int = 1) -> datetime:
    """A working-hours start (China time, UTC+8) some days ahead, on a Monday to Friday."""
    day = (clock.now() + timedelta(days=days_ahead)).date()
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return datetime(day.year, day.month, day.day, hour - 8, 0, tzinfo=UTC)


@pytest.fixture(scope="session")
async def producer(infra: Infra) -> AsyncIterator[AIOKafkaProducer]:
    """Publishes hand-offs as dispatch would."""
    client = AIOKafkaProducer(bootstrap_servers=infra.bootstrap_servers)
    await client.start()
    yield client
    await client.stop()


async def publish(producer: AIOKafkaProducer, data: Any, *, tenant: str = TENANT, event: Any = None) -> Any:
    """Send `data` (or a given envelope, to redeliver it) to its topic; returns the envelope."""
    event = event or new_event(data, source="dispatch", tenant=tenant, subject=str(uuid.uuid4()))
    await producer.send_and_wait(spec_for(event.data).topic.name, event.model_dump_json().encode(),
                                 key=partition_key(event), headers=kafka_headers(event))
    return event


async def events(infra: Infra, topic: str, key: str, want: int = 1, timeout: float = 5.0) -> list[dict[str, Any]]:
    """Events with record key `key` on `topic`, read from the start."""
    records = await read_topic(infra.bootstrap_servers, topic, want, lambda r: r.key == key.encode(),
                               timeout=timeout)
    return [json.loads(r.value) for r in records]


async def eventually(probe: Callable[[], Any], timeout: float = 15.0) -> Any:
    """Poll `probe` (async) until it returns something truthy."""
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while True:
        found = await probe()
        if found or loop.time() > end:
            return found
        await asyncio.sleep(0.2)
