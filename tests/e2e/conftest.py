"""The suite as separate processes: embedded PostgreSQL, the broker (or Apache Kafka), every service."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator

import pytest

from oneteam_devstack.stack import Stack
from oneteam_devstack.testing import roster

from .public_scan import scan_public_topics


@pytest.fixture(scope="session")
def suite(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """Every service started with uvicorn on free loopback ports.

    The roster is large because on a broker shared with earlier tests (the Apache Kafka run)
    dispatch's new consumer group also reads their incidents and sends officers to them.
    """
    folder = tmp_path_factory.mktemp("suite")
    roster_file = folder / "roster.json"
    roster_file.write_text(json.dumps(roster(500)))
    stack = Stack(folder, durable=False, fixed_ports=False,
                  extra_env={"DISPATCH_ROSTER_FILE": str(roster_file), "LOG_JSON": "true"})
    try:
        stack.start_all()
        since_ms = int(time.time() * 1000) - 1000
        yield stack
        public_topics_stay_clean(stack, since_ms, _LAST_E2E_TEST_MS[0] or None)
    finally:
        stack.stop()


# The suite lives for the session, but only what the end-to-end tests produced is scanned: later
# test folders (the fuzzer's in-process services) publish generated data on the same broker.
_LAST_E2E_TEST_MS = [0]


@pytest.fixture(autouse=True)
def _note_end_of_e2e_test() -> Iterator[None]:
    yield
    _LAST_E2E_TEST_MS[0] = int(time.time() * 1000) + 2000  # the stack's last events of the test


def public_topics_stay_clean(stack: Stack, since_ms: int, until_ms: int | None = None) -> None:
    """After the suite's tests: nothing they typed reached a topic other platforms may read."""
    scan = asyncio.run(scan_public_topics(stack.bootstrap_servers, since_ms, until_ms))
    assert scan.read > 0, "the end-to-end tests published nothing on public topics"
    assert scan.problems == [], "\n".join(scan.problems[:20])

