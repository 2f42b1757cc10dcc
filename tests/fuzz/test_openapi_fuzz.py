"""Property-based fuzzing of intake and dispatch from their own OpenAPI documents.

schemathesis draws requests for every documented operation — without a token and with a
token of each role — and sends them over HTTP to the service running on the session's real
PostgreSQL and broker. A 5xx, an undocumented status, or a body, header or content type that
does not match the document fails the test. Bounded: a few examples per operation, no
shrinking, and a time budget, so it stays well under two minutes on a shared machine.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
import uuid
from collections.abc import AsyncIterator

import hypothesis
import pytest
import schemathesis
import uvicorn
from fastapi import FastAPI
from hypothesis import strategies as st
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from oneteam_devstack.ports import free_port
from oneteam_devstack.testing import Infra, service_settings
from oneteam_dispatch.main import build as build_dispatch
from oneteam_dispatch.settings import DispatchSettings
from oneteam_intake.main import build as build_intake
from oneteam_intake.settings import IntakeSettings
from oneteam_servicekit import ServiceSettings
from oneteam_servicekit.auth import issue_token

# schemathesis' own strategies draw from `random`, which Hypothesis warns about; not ours to fix.
pytestmark = [pytest.mark.integration,
              pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisDeprecationWarning")]

TENANT = "330106004"
# The same examples every run, so CI is steady; FUZZ_EXAMPLES=200 explores further by hand.
EXAMPLES_PER_OPERATION = int(os.environ.get("FUZZ_EXAMPLES", "25"))
BUDGET_S = float(os.environ.get("FUZZ_BUDGET_S", "40"))  # per service
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_headers_conformance, response_schema_conformance]
# Push channels stream until the client leaves, so a fuzzer's request would wait for ever;
# readiness answers 503 by design while a consumer group is still joining.
SKIPPED = {"/v1/me/stream", "/readyz"}


# Values a random draw almost never hits but the rules need before they do anything: the demo
# tenant, a place inside it, a category of its catalog.
DEMO = {"tenant": TENANT, "jurisdiction_id": TENANT, "category": "street_vending", "service_code": "street_vending",
        "location": {"lon": 120.1262, "lat": 30.2905}, "lat": 30.2905, "long": 120.1262}


def _in_the_demo_tenant(case: schemathesis.Case) -> schemathesis.Case:
    if isinstance(case.body, dict):
        case.body.update({name: value for name, value in DEMO.items() if name in case.body})
    if isinstance(case.query, dict) and "tenant" in case.query:
        case.query["tenant"] = TENANT
    return case


def _callers() -> list[dict[str, str]]:
    def bearer(role: str) -> dict[str, str]:
        token = issue_token(ServiceSettings(), f"fuzz-{role}", [role], tenant=TENANT,
                            officer_id="cy-001" if role == "officer" else None)
        return {"Authorization": f"Bearer {token}"}

    return [{}] + [bearer(role) for role in ("citizen", "grid_worker", "officer", "commander", "admin")]


@contextlib.asynccontextmanager
async def _served(app: FastAPI) -> AsyncIterator[str]:
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on"))
    server.install_signal_handlers = lambda: None  # type: ignore[method-assign]
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
            raise RuntimeError("the service did not start")
        await asyncio.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


def _fuzz(app: FastAPI, base_url: str) -> list[str]:
    """Every failure found, one line each (runs in a thread: the service's loop keeps serving)."""
    schema = schemathesis.openapi.from_dict(app.openapi())
    callers = _callers()
    failures: list[str] = []
    started = time.monotonic()
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.path in SKIPPED or time.monotonic() - started > BUDGET_S:
            continue

        # Valid requests reach the rules, more so with the demo tenant's values put in; invalid
        # ones (wrong types, missing fields) the edges.
        valid = operation.as_strategy()
        cases = st.one_of(valid, valid.map(_in_the_demo_tenant),
                          operation.as_strategy(schemathesis.GenerationMode.NEGATIVE))

        @hypothesis.settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None,
                             derandomize="FUZZ_EXAMPLES" not in os.environ,
                             phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
                             suppress_health_check=list(hypothesis.HealthCheck))
        @hypothesis.given(case=cases, caller=st.sampled_from(callers))
        def check(case: schemathesis.Case, caller: dict[str, str]) -> None:
            # The document declares the bearer scheme, so schemathesis draws tokens of its own:
            # the caller's replaces it, and an anonymous caller sends none at all.
            case.headers = {name: value for name, value in (case.headers or {}).items()
                            if name.lower() != "authorization"} | caller
            response = case.call(base_url=base_url, timeout=10)
            try:
                case.validate_response(response, checks=CHECKS)
            except (Exception, BaseExceptionGroup) as error:  # a schemathesis failure, or a group of them
                found = [line.strip() for line in str(error).splitlines() if line.strip().startswith("- ST")]
                failures.append(f"{case.method} {case.path} {caller.get('Authorization', '')[-12:]} "
                                f"→ {response.status_code}: {'; '.join(found) or str(error)[:200]} "
                                f"{response.text[:300]}")
                raise

        # Hypothesis re-raises what it found; the failures are collected above, one line each.
        with contextlib.suppress(Exception, BaseExceptionGroup):  # schemathesis' FailureGroup is the latter
            check()
    return failures


def _passed(failures: list[str]) -> None:
    if failures:
        pytest.fail(f"{len(failures)} failing requests:\n" + "\n".join(sorted(set(failures))), pytrace=False)


async def _run(app: FastAPI) -> list[str]:
    async with _served(app) as base_url:
        return await asyncio.to_thread(_fuzz, app, base_url)


async def test_intake_answers_every_drawn_request_as_its_document_says(
        infra: Infra, tmp_path_factory: pytest.TempPathFactory) -> None:
    settings = IntakeSettings(**service_settings(infra, "intake"),  # type: ignore[arg-type]
                              photos_dir=tmp_path_factory.mktemp("fuzz-photos"),
                              consumer_group_suffix=f".fuzz-{uuid.uuid4().hex[:8]}")

    failures = await _run(build_intake(settings))

    _passed(failures)


async def test_dispatch_answers_every_drawn_request_as_its_document_says(infra: Infra) -> None:
    settings = DispatchSettings(**service_settings(infra, "dispatch"),  # type: ignore[arg-type]
                                consume_incidents=False)

    failures = await _run(build_dispatch(settings))

    _passed(failures)


