"""Case-penalty against the session's PostgreSQL and broker, in-process, with a clock tests can move."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer
from fastapi import FastAPI

from oneteam_case_penalty.main import build
from oneteam_case_penalty.runtime import CaseRuntime
from oneteam_case_penalty.settings import CasePenaltySettings
from oneteam_contracts import kafka_headers, new_event, partition_key, spec_for
from oneteam_devstack.testing import Infra, read_topic, service_settings
from oneteam_servicekit import ServiceSettings
from oneteam_servicekit.auth import Role, issue_token

TENANT = "330106004"
OTHER_TENANT = "330106005"
PAYMENT_KEY = "payment-platform-test-key"


class MovableClock:
    """Real time plus an offset the test moves forward: deadlines weeks away come due at once."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset


def case_settings(infra: Infra, database_url: str | None = None, **changes: Any) -> CasePenaltySettings:
    values: dict[str, Any] = {**service_settings(infra, "case_penalty"), "scheduler_poll_s": 0.2,
                              "payment_callback_key": PAYMENT_KEY}
    if database_url is not None:
        values["database_url"] = database_url
    values.update(changes)
    return CasePenaltySettings(**values)


def runtime_of(app: FastAPI) -> CaseRuntime:
    runtime: CaseRuntime = app.state.runtime
    return runtime


def build_app(settings: CasePenaltySettings, clock: MovableClock | None = None) -> FastAPI:
    return build(settings, clock or MovableClock())


def token(roles: list[Role], *, tenant: str = TENANT, officer_id: str | None = None) -> dict[str, str]:
    return {"Authorization": "Bearer " + issue_token(ServiceSettings(), f"test-{uuid.uuid4().hex[:6]}", roles,
                                                     tenant=tenant, officer_id=officer_id)}


def officer(officer_id: str, tenant: str = TENANT) -> dict[str, str]:
    return token([Role.OFFICER], tenant=tenant, officer_id=officer_id)


HEAD = token([Role.DEPARTMENT_HEAD])
REVIEWER = token([Role.LEGAL_REVIEWER])
COMMANDER = token([Role.COMMANDER])
AUDITOR = token([Role.AUDITOR])


@pytest.fixture(scope="session")
async def producer(infra: Infra) -> AsyncIterator[AIOKafkaProducer]:
    """Publishes hand-offs as dispatch and mediation would."""
    client = AIOKafkaProducer(bootstrap_servers=infra.bootstrap_servers)
    await client.start()
    yield client
    await client.stop()


async def publish(producer: AIOKafkaProducer, data: Any, *, source: str = "dispatch", tenant: str = TENANT,
                  event: Any = None) -> Any:
    """Send `data` (or a given envelope, to redeliver it) to its topic; returns the envelope."""
    event = event or new_event(data, source=source, tenant=tenant, subject=str(uuid.uuid4()))
    await producer.send_and_wait(spec_for(event.data).topic.name, event.model_dump_json().encode(),
                                 key=partition_key(event), headers=kafka_headers(event))
    return event


async def case_events(infra: Infra, case_id: str, kind: str | None = None, timeout: float = 3.0) -> list[Any]:
    """Events about one case on oneteam.cases (of one type, if given), read from the start."""
    records = await read_topic(infra.bootstrap_servers, "oneteam.cases", 1000,
                               lambda r: r.key == case_id.encode(), timeout=timeout)
    events = [json.loads(r.value) for r in records]
    return [e for e in events if kind is None or e["type"] == kind]
