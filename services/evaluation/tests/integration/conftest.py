"""Evaluation against the session's PostgreSQL and broker, in-process."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaProducer

from oneteam_contracts import Envelope, kafka_headers, partition_key, spec_for
from oneteam_devstack.testing import Infra, service_settings
from oneteam_evaluation.settings import EvaluationSettings
from oneteam_servicekit import ServiceSettings
from oneteam_servicekit.auth import Role, issue_token


def evaluation_settings(infra: Infra, **changes: Any) -> EvaluationSettings:
    values: dict[str, Any] = {**service_settings(infra, "evaluation"), **changes}
    return EvaluationSettings(**values)


def token(roles: list[Role], tenant: str, officer_id: str | None = None) -> dict[str, str]:
    return {"Authorization": "Bearer " + issue_token(ServiceSettings(), f"test-{uuid.uuid4().hex[:6]}", roles,
                                                     tenant=tenant, officer_id=officer_id)}


@pytest.fixture(scope="session")
async def producer(infra: Infra) -> AsyncIterator[AIOKafkaProducer]:
    """Publishes events as intake, dispatch and the case service would."""
    client = AIOKafkaProducer(bootstrap_servers=infra.bootstrap_servers)
    await client.start()
    yield client
    await client.stop()


async def publish(producer: AIOKafkaProducer, events: list[Envelope[Any]]) -> None:
    """Send each envelope to its topic, keyed as its producer would."""
    for event in events:
        await producer.send_and_wait(spec_for(event.data).topic.name, event.model_dump_json().encode(),
                                     key=partition_key(event), headers=kafka_headers(event))


async def figures(client: httpx.AsyncClient, tenant: str, kpi: str, headers: dict[str, str],
                  **params: str) -> list[dict[str, Any]]:
    """The figures of one KPI (window and breakdown in `params`)."""
    answer = await client.get(f"/v1/tenants/{tenant}/kpis/{kpi}", headers=headers, params=params)
    assert answer.status_code == 200, answer.text
    found: list[dict[str, Any]] = answer.json()["figures"]
    return found


async def shares_when(client: httpx.AsyncClient, tenant: str, headers: dict[str, str], expected: dict[str, Any],
                      params: dict[str, str], timeout: float = 60.0) -> dict[str, Any]:
    """(numerator, denominator) of each KPI in `expected` for the whole window, once they match or time is up."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    found: dict[str, Any] = {}
    while loop.time() < deadline:
        found = {}
        for kpi in expected:
            rows = await figures(client, tenant, kpi, headers, period="all", **params)
            found[kpi] = (rows[0]["numerator"], rows[0]["denominator"]) if rows else None
        if found == expected:
            return found
        await asyncio.sleep(0.3)
    return found
