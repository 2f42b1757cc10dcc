"""`simulate.py --emit` finds the broker of the running `make run` in its log, and only while it answers."""

from __future__ import annotations

import socket
from pathlib import Path

import simulate


def broker_log(data_dir: Path, *ports: int) -> None:
    (data_dir / "logs").mkdir(parents=True)
    (data_dir / "logs" / "broker.log").write_text("".join(
        f"tansu broker 0.6.0\nlistening on: tcp://127.0.0.1:{port} (advertised: tcp://127.0.0.1:{port})\n"
        for port in ports))


def test_the_last_broker_make_run_started_is_the_one_emitted_to_while_it_listens(tmp_path: Path) -> None:
    with socket.socket() as listening:
        listening.bind(("127.0.0.1", 0))
        listening.listen()
        port = listening.getsockname()[1]
        broker_log(tmp_path, 1, port)  # an earlier run's broker first: the log is appended to

        assert simulate.make_run_bootstrap(tmp_path) == f"127.0.0.1:{port}"
    assert simulate.make_run_bootstrap(tmp_path) is None  # that run has ended


def test_without_a_log_there_is_no_make_run_broker(tmp_path: Path) -> None:
    assert simulate.make_run_bootstrap(tmp_path) is None
