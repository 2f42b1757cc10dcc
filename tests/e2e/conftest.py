"""The suite as separate processes: embedded PostgreSQL, the broker (or Apache Kafka), every service."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from oneteam_devstack.stack import Stack

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def suite(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """Every service started with uvicorn on free loopback ports, with the demo roster."""
    stack = Stack(tmp_path_factory.mktemp("suite"), durable=False, fixed_ports=False,
                  extra_env={"DISPATCH_ROSTER_FILE": str(ROOT / "deploy/demo/officers.json"), "LOG_JSON": "true"})
    try:
        stack.start_all()
        yield stack
    finally:
        stack.stop()
