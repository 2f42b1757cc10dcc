"""Health and readiness tell operators which dependency is down, and recover with it."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from oneteam_devstack import EmbeddedBroker, EmbeddedPostgres
from oneteam_devstack.testing import serve
from oneteam_servicekit import Runtime, ServiceSettings, create_app
from oneteam_servicekit.app import GC_THRESHOLDS

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
async def private_infra(tmp_path_factory: pytest.TempPathFactory,
                        ) -> AsyncIterator[tuple[EmbeddedPostgres, EmbeddedBroker]]:
    """A database and broker of this module's own, so stopping them disturbs no other test."""
    folder = tmp_path_factory.mktemp("readiness")
    postgres = EmbeddedPostgres(folder / "postgres", durable=False).start()
    broker = EmbeddedBroker(folder / "logs").start()
    yield postgres, broker
    broker.stop()
    postgres.stop()


@pytest.fixture(scope="module")
async def service(private_infra: tuple[EmbeddedPostgres, EmbeddedBroker]) -> AsyncIterator[httpx.AsyncClient]:
    postgres, broker = private_infra
    settings = ServiceSettings(
        service_name="probe", database_url=postgres.url("postgres"), run_migrations=False,
        kafka_bootstrap_servers=broker.bootstrap_servers, kafka_enable_idempotence=False, log_json=False,
    )
    async with serve(create_app(Runtime(settings, Path(".")), title="probe", description="", routers=[])) as client:
        yield client


async def test_ready_when_database_and_broker_answer(service: httpx.AsyncClient) -> None:
    response = await service.get("/readyz")

    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "broker": "ok", "publisher": "ok", "consumers": "ok"}


async def test_stopped_database_makes_the_service_not_ready_until_it_returns(
    service: httpx.AsyncClient, private_infra: tuple[EmbeddedPostgres, EmbeddedBroker],
) -> None:
    postgres, _ = private_infra
    postgres.stop()
    try:
        down = await service.get("/readyz")
        alive = await service.get("/healthz")
    finally:
        postgres.start()

    assert down.status_code == 503
    assert down.json()["checks"]["database"].startswith("unreachable")
    assert down.json()["checks"]["broker"] == "ok"
    assert alive.status_code == 200, "liveness must not depend on the database"
    assert (await service.get("/readyz")).status_code == 200


async def test_stopped_broker_makes_the_service_not_ready(
    service: httpx.AsyncClient, private_infra: tuple[EmbeddedPostgres, EmbeddedBroker],
) -> None:
    _, broker = private_infra
    broker.stop()

    down = await service.get("/readyz")

    assert down.status_code == 503
    assert down.json()["checks"]["broker"].startswith("unreachable")
    assert down.json()["checks"]["database"] == "ok"


async def test_metrics_are_exposed_for_prometheus(service: httpx.AsyncClient) -> None:
    await service.get("/healthz")

    text = (await service.get("/metrics")).text

    assert 'oneteam_http_requests_total{method="GET",route="/healthz",service="probe",status="200"}' in text
    assert "oneteam_outbox_backlog" in text


async def test_a_started_service_collects_young_objects_less_often_than_python_by_default(
        service: httpx.AsyncClient) -> None:
    # Set by the lifespan (a process that never started a service keeps Python's 700, 10, 10).
    assert gc.get_threshold() == GC_THRESHOLDS != (700, 10, 10)
