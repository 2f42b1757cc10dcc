"""The suite as separate processes: embedded PostgreSQL, the broker (or Apache Kafka), every service."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from oneteam_devstack.stack import Stack
from oneteam_devstack.testing import roster


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
        yield stack
    finally:
        stack.stop()
