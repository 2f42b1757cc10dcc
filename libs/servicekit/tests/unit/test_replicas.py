"""Worker processes of one service on one host get distinct, reusable consumer instance names."""

from __future__ import annotations

import multiprocessing
import uuid
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess

from oneteam_servicekit.replicas import instance_id

# Forked like uvicorn's workers, and quick: the child needs no fresh interpreter.
FORK = multiprocessing.get_context("fork")


def _claim(base: str, answer: Connection) -> None:
    answer.send(instance_id(base))
    answer.recv()  # hold the name until told to exit


def start(base: str) -> tuple[BaseProcess, str]:
    ours, theirs = FORK.Pipe()
    process = FORK.Process(target=_claim, args=(base, theirs), daemon=True)
    process.start()
    return process, ours.recv()


def stop(process: BaseProcess) -> None:
    process.kill()
    process.join()


def test_workers_sharing_one_name_get_distinct_ones_and_a_restarted_worker_its_old_one() -> None:
    base = f"intake-{uuid.uuid4().hex[:8]}"
    first, first_name = start(base)
    second, second_name = start(base)
    try:
        stop(second)
        restarted, restarted_name = start(base)
        stop(restarted)
    finally:
        stop(first)

    assert (first_name, second_name) == (base, f"{base}-2")
    assert restarted_name == f"{base}-2", "the dead worker's slot must go to its replacement"


def test_no_name_stays_no_name() -> None:
    assert instance_id(None) is None
