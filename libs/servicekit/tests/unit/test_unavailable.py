"""A database that cannot be reached is a 503 with Retry-After, a value it cannot hold a 422: never a 500."""

from __future__ import annotations

from oneteam_devstack.ports import free_port

from .kit_app import build, client


async def test_unreachable_database_is_a_503_with_retry_after() -> None:
    nobody = f"postgresql+asyncpg://postgres@127.0.0.1:{free_port()}/none"
    app = build(database_url=nobody)

    async with client(app) as http:
        response = await http.get("/v1/count")

    assert response.status_code == 503
    assert int(response.headers["retry-after"]) > 0
    assert response.headers["content-type"] == "application/problem+json"


async def test_a_value_the_database_cannot_hold_is_the_clients_422() -> None:
    async with client(build()) as http:
        response = await http.post("/v1/dated")

    assert response.status_code == 422
    assert "datetime(1" not in response.text
