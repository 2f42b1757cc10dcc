"""A saturated connection pool answers 503 with Retry-After, never a 500."""

from __future__ import annotations

import pytest

from oneteam_devstack.testing import Infra

from ..unit.kit_app import build, client

pytestmark = pytest.mark.integration


async def test_exhausted_pool_is_a_503_with_retry_after(infra: Infra) -> None:
    app = build(database_url=infra.fresh_database("pool"), db_pool_size=1, db_max_overflow=0,
                db_pool_timeout_s=0.2)
    runtime = app.state.runtime
    try:
        async with client(app) as http, runtime.engine.connect():  # the one connection, held
            busy = await http.get("/v1/count")
        async with client(app) as http:
            free = await http.get("/v1/count")
    finally:
        await runtime.engine.dispose()

    assert busy.status_code == 503
    assert int(busy.headers["retry-after"]) > 0
    assert free.status_code == 200
