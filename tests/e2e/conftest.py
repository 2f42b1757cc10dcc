"""The suite as separate processes: embedded PostgreSQL, the broker (or Apache Kafka), every service."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator

import pytest

from oneteam_devstack.stack import Stack
from oneteam_devstack.testing import roster

from .public_scan import Scan, scan_public_topics


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


# Spans (epoch ms) the scan leaves out. The replica test publishes hundreds of generated records,
# and a UUID holds an 11-digit run shaped like a mobile number about once in 3 000 (several ids a
# record): that failed the scan by chance. Nothing in those records was typed by a person.
_UNSCANNED: list[tuple[int, int]] = []


@pytest.fixture
def unscanned() -> list[tuple[int, int]]:
    """Where a test notes the span of its records the public-record scan should skip."""
    return _UNSCANNED


def public_topics_stay_clean(stack: Stack, since_ms: int, until_ms: int | None = None) -> None:
    """After the suite's tests: nothing they typed reached a topic other platforms may read."""
    scan = Scan()
    for start, end in _scanned_spans(since_ms, until_ms):
        part = asyncio.run(scan_public_topics(stack.bootstrap_servers, start, end))
        scan.read += part.read
        scan.problems += part.problems
    # A session of the replica test alone has nothing left to scan.
    assert scan.read > 0 or _UNSCANNED, "the end-to-end tests published nothing on public topics"
    assert scan.problems == [], "\n".join(scan.problems[:20])


def _scanned_spans(since_ms: int, until_ms: int | None) -> Iterator[tuple[int, int | None]]:
    start = since_ms
    for skip_from, skip_to in sorted(_UNSCANNED):
        if start < skip_from:
            yield start, skip_from
        start = max(start, skip_to)
    yield start, until_ms

