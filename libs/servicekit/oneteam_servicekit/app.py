"""The FastAPI app factory: every service's `main` is a call to `create_app`."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from oneteam_eventbus.tracing import configure_tracing
from oneteam_servicekit.guard import InputGuard
from oneteam_servicekit.http import CorrelationAndMetrics
from oneteam_servicekit.logs import configure_logging
from oneteam_servicekit.openapi import document
from oneteam_servicekit.problems import install_problem_handlers
from oneteam_servicekit.runtime import Runtime
from oneteam_servicekit.tracing import TraceRequests

# The collector's thresholds for a service under load. With Python's default (700, 10, 10) a
# dispatch worker holding ~1 000 officers' push channels open (~300 000 live objects:
# coroutines, cells, deques) ran a full collection every ~3 s, each 100-280 ms with the
# event loop stopped: 2.5-3.5 s of pauses a minute per worker, the load test's report p99.
# Collecting the young generation every 10 000 allocations instead lets the objects of
# requests in flight die young rather than reach the old generation. In the load test at
# 5 / 10 reports/s with 400 fixes/s (2026-11-26, 23:15-23:25 UTC), this took report → order
# p99 from 338 / 449 ms to 158 / 207 ms, fixes p99 from 272 / 357 ms to 91 / 122 ms, and
# dispatch's GC time from 3.4 s to 0.6 s a worker, with no full collection.
GC_THRESHOLDS = (10_000, 20, 10)


async def get_runtime(request: Request) -> Runtime:
    """Dependency: the service's runtime (async: a plain def costs a thread-pool hop per request)."""
    runtime: Runtime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]

ops = APIRouter(tags=["operations"])


@ops.get("/healthz", summary="Liveness: the process answers")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@ops.get("/readyz", summary="Readiness: database and broker reachable", responses={
    503: {"description": "Not ready: the checks name what is unreachable or still joining",
          "content": {"application/json": {"schema": {"type": "object"}}}}})
async def readyz(runtime: RuntimeDep) -> JSONResponse:
    checks = await runtime.readiness()
    ready = all(value == "ok" for value in checks.values())
    return JSONResponse({"status": "ready" if ready else "not ready", "checks": checks},
                        status_code=200 if ready else 503)


@ops.get("/metrics", summary="Prometheus metrics", include_in_schema=False)
async def metrics() -> Response:
    # Gauges such as the outbox backlog are kept current by their owners (the relay), so a
    # scrape never touches the database and works while it is down.
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)


def create_app(runtime: Runtime, *, title: str, description: str, routers: Sequence[APIRouter]) -> FastAPI:
    """Build the service's app; the lifespan starts and stops `runtime`."""
    settings = runtime.settings
    configure_logging(settings.service_name, settings.log_level, settings.log_json)
    configure_tracing(settings.service_name)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await runtime.start()
        # What start-up built (modules, settings, dispatch's roster, tenants' geometry) lives as
        # long as the process: out of the collector's sight, a full collection no longer walks
        # it in the middle of a request or a match (py-spy: ~10 % of a large match was GC passes).
        gc.freeze()
        gc.set_threshold(*GC_THRESHOLDS)
        try:
            yield
        finally:
            await runtime.stop()

    # FastAPI's own telemetry off: TraceRequests below opens the request's server span (with a
    # tracer configured FastAPI would open a second), and asking on every request whether one is
    # configured cost a fifth of dispatch's CPU per position fix (bench_positions.py).
    app = FastAPI(title=title, description=description, version="0.1.0", lifespan=lifespan,
                  telemetry={"tracing": False, "metrics": False, "logs": False})
    app.state.runtime = runtime
    # Added first, so it runs inside the correlation middleware: refusals are counted and carry the id.
    app.add_middleware(InputGuard, max_json_bytes=settings.max_json_bytes, max_upload_bytes=settings.max_upload_bytes)
    app.add_middleware(CorrelationAndMetrics, service=settings.service_name)
    # Outermost, so the correlation, metrics and guard work happens inside the request's span.
    app.add_middleware(TraceRequests)
    install_problem_handlers(app)
    app.openapi = lambda: document(app)  # type: ignore[method-assign]
    app.include_router(flat([ops, *routers]))
    return app


def flat(routers: Sequence[APIRouter]) -> APIRouter:
    """One router holding every route of `routers`, in their order.

    Included one by one, each router is a branch FastAPI walks on every request, checking
    first whether its routes changed: matching a dispatch position post took ~100 us, 13 % of
    dispatch under the load test (py-spy). Routes carry their router's prefix, tags and
    dependencies from when they were declared, so moving them changes nothing else.
    """
    one = APIRouter()
    for router in routers:
        one.routes.extend(router.routes)
    return one
