"""What every fuzz test shares: the callers, the serving of an app, and the bounded schemathesis run.

schemathesis draws requests for every documented operation — without a token and with a
token of each role — and sends them over HTTP to the service running on the session's real
PostgreSQL and broker. A 5xx, an undocumented status, or a body, header or content type that
does not match the document fails the test. Bounded: a few examples per operation, no
shrinking, and a time budget per service, so the whole run stays short on a shared machine.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from typing import Any

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
from oneteam_servicekit import ServiceSettings
from oneteam_servicekit.auth import issue_token

TENANT = "330106004"
# The same examples every run, so CI is steady; FUZZ_EXAMPLES=200 explores further by hand.
EXAMPLES_PER_OPERATION = int(os.environ.get("FUZZ_EXAMPLES", "25"))
BUDGET_S = float(os.environ.get("FUZZ_BUDGET_S", "40"))  # per service
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_headers_conformance, response_schema_conformance]
# Push channels stream until the client leaves, so a fuzzer's request would wait for ever;
# readiness answers 503 by design while a consumer group is still joining.
SKIPPED = {"/v1/me/stream", "/readyz"}
KNOWN = "KNOWN"
ROLES = ("citizen", "grid_worker", "officer", "commander", "admin")

# Values a random draw almost never hits but the rules need before they do anything: the demo
# tenant, a place inside it, a category of its catalog.
DEMO: dict[str, Any] = {
    "tenant": TENANT, "jurisdiction_id": TENANT, "category": "street_vending", "service_code": "street_vending",
    "location": {"lon": 120.1262, "lat": 30.2905}, "lat": 30.2905, "long": 120.1262}


def in_the_demo(body: Mapping[str, Any], query: Mapping[str, Any],
                path: Mapping[str, Any]) -> Callable[[schemathesis.Case], schemathesis.Case]:
    """A case whose body fields, query and path parameters named in `body`, `query`, `path` take their values."""

    def put(case: schemathesis.Case) -> schemathesis.Case:
        for part, values in ((case.body, body), (case.query, query), (case.path_parameters, path)):
            if isinstance(part, dict):
                part.update({name: value for name, value in values.items() if name in part})
        return case

    return put


def callers(roles: Iterable[str] = ROLES, officer_id: str = "cy-001") -> list[dict[str, str]]:
    """No token, then one token of each role in the demo tenant (officers carry `officer_id`)."""
    def bearer(role: str) -> dict[str, str]:
        token = issue_token(ServiceSettings(), f"fuzz-{role}", [role], tenant=TENANT,
                            officer_id=officer_id if role == "officer" else None)
        return {"Authorization": f"Bearer {token}"}

    return [{}] + [bearer(role) for role in roles]


@contextlib.asynccontextmanager
async def served(app: FastAPI) -> AsyncIterator[str]:
    """`app` on a free local port, with its lifespan (migrations, consumers) running."""
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


def fuzz(app: FastAPI, base_url: str, *, who: list[dict[str, str]] | None = None,
         demo: Mapping[str, Any] = DEMO, demo_query: Mapping[str, Any] | None = None,
         demo_path: Mapping[str, Any] | None = None, examples: int = EXAMPLES_PER_OPERATION, budget_s: float = BUDGET_S,
         known: Mapping[tuple[str, str], str] | None = None) -> list[str]:
    """Every failure found, one line each (runs in a thread: the service's loop keeps serving).

    `demo`, `demo_query` and `demo_path` are put into half of the valid requests. `known` maps (METHOD,
    path) of an operation with a defect owned elsewhere to the reason: that operation is still
    fuzzed, and its failures come back prefixed with KNOWN and the reason.
    """
    schema = schemathesis.openapi.from_dict(app.openapi())
    who = who or callers()
    known = known or {}
    failures: list[str] = []
    started = time.monotonic()
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.path in SKIPPED or time.monotonic() - started > budget_s:
            continue
        reason = known.get((operation.method.upper(), operation.path))
        prefix = f"{KNOWN} ({reason}) " if reason else ""
        before = len(failures)
        sent = 0

        # Valid requests reach the rules, more so with the demo tenant's values put in; invalid
        # ones (wrong types, missing fields) the edges.
        valid = operation.as_strategy()
        cases = st.one_of(valid, valid.map(in_the_demo(demo, demo_query or {"tenant": TENANT}, demo_path or {})),
                          operation.as_strategy(schemathesis.GenerationMode.NEGATIVE))

        @hypothesis.settings(max_examples=examples, deadline=None, database=None,
                             derandomize="FUZZ_EXAMPLES" not in os.environ,
                             phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
                             suppress_health_check=list(hypothesis.HealthCheck))
        @hypothesis.given(case=cases, caller=st.sampled_from(who))
        def check(case: schemathesis.Case, caller: dict[str, str]) -> None:
            nonlocal sent
            # The document declares the bearer scheme, so schemathesis draws tokens of its own:
            # the caller's replaces it, and an anonymous caller sends none at all.
            case.headers = {name: value for name, value in (case.headers or {}).items()
                            if name.lower() != "authorization"} | caller
            response = case.call(base_url=base_url, timeout=10)
            sent += 1
            try:
                case.validate_response(response, checks=CHECKS)
            except (Exception, BaseExceptionGroup) as error:  # a schemathesis failure, or a group of them
                found = [line.strip() for line in str(error).splitlines() if line.strip().startswith("- ST")]
                failures.append(f"{prefix}{case.method} {case.path} {caller.get('Authorization', '')[-12:]} "  # noqa: B023 (run in this iteration)
                                f"→ {response.status_code}: {'; '.join(found) or str(error)[:200]} "
                                f"{response.text[:300]}")
                raise

        # Hypothesis re-raises what it found (collected above, one line each); anything else —
        # a request that never got an answer, a strategy that cannot draw — is a failure too,
        # so that a broken run cannot pass by sending nothing.
        try:
            check()
        except (Exception, BaseExceptionGroup) as error:  # schemathesis' FailureGroup is the latter
            if len(failures) == before:
                failures.append(f"{prefix}{operation.method.upper()} {operation.path}: not fuzzed: {error!r:.300}")
        else:
            if sent == 0:
                failures.append(f"{prefix}{operation.method.upper()} {operation.path}: no request was sent")
    return failures


async def run(app: FastAPI, **options: Any) -> list[str]:
    """Serve `app` and fuzz it; the failures found."""
    async with served(app) as base_url:
        return await asyncio.to_thread(fuzz, app, base_url, **options)


def passed(failures: list[str]) -> None:
    """Fail the test with every failure, one line each; only known defects found: an expected failure."""
    new = sorted({line for line in failures if not line.startswith(KNOWN)})
    if new:
        pytest.fail(f"{len(new)} failing requests:\n" + "\n".join(new), pytrace=False)
    if failures:
        pytest.xfail(f"only known defects, {len(set(failures))} requests:\n" + "\n".join(sorted(set(failures))))
