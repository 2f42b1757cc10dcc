"""The whole suite on one machine: embedded PostgreSQL, a broker, and every service as a process.

`make run` calls `python -m oneteam_devstack run`; the end-to-end tests use the same class,
so what a newcomer starts is what the tests exercise. A `KAFKA_BOOTSTRAP_SERVERS` in the
environment replaces the embedded broker (CI points it at Apache Kafka).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from oneteam_devstack.broker import EmbeddedBroker
from oneteam_devstack.ports import free_port, port_is_free
from oneteam_devstack.postgres import EmbeddedPostgres


@dataclass(frozen=True)
class ServiceSpec:
    """How to start one service."""

    name: str
    app: str
    default_port: int
    database: bool = True

    @property
    def env_prefix(self) -> str:
        return self.name.upper() + "_"


SERVICES = [
    ServiceSpec("intake", "oneteam_intake.main:app", 8101),
    ServiceSpec("dispatch", "oneteam_dispatch.main:app", 8102),
    ServiceSpec("case_penalty", "oneteam_case_penalty.main:app", 8103),
    ServiceSpec("mediation", "oneteam_mediation.main:app", 8104),
    ServiceSpec("evaluation", "oneteam_evaluation.main:app", 8105),
    # The command-centre screen keeps no data: it reads the services started before it.
    ServiceSpec("console", "oneteam_console.main:app", 8106, database=False),
]
# The demo tenant's districts and grids, which the console draws (intake owns the file).
AREAS_DIR = Path(__file__).resolve().parents[3] / "services/intake/oneteam_intake/config/tenants"


@dataclass
class Stack:
    """Infrastructure plus service processes, all on loopback, all data under `data_dir`."""

    data_dir: Path
    durable: bool = True
    fixed_ports: bool = True
    extra_env: dict[str, str] = field(default_factory=dict)
    workers: dict[str, int] = field(default_factory=dict)  # service → uvicorn worker processes
    postgres: EmbeddedPostgres | None = None
    broker: EmbeddedBroker | None = None
    bootstrap_servers: str = ""
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    urls: dict[str, str] = field(default_factory=dict)

    def start_infra(self) -> None:
        """Start PostgreSQL, and the embedded broker unless KAFKA_BOOTSTRAP_SERVERS is set."""
        self.postgres = EmbeddedPostgres(self.data_dir / "postgres", durable=self.durable).start()
        external = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
        if external:
            self.bootstrap_servers = external
        else:
            self.broker = EmbeddedBroker(self.data_dir / "logs").start()
            self.bootstrap_servers = self.broker.bootstrap_servers

    def service_env(self, spec: ServiceSpec) -> dict[str, str]:
        """Environment for one service process: its own database, the shared broker."""
        assert self.postgres is not None, "start_infra first"
        env = dict(os.environ)
        env.setdefault("KAFKA_ENABLE_IDEMPOTENCE", "false" if self.broker else "true")
        if self.broker is None:
            # Static membership on Apache Kafka (Tansu has none): a service this launcher
            # restarts gets its partitions back at once; another launcher's ids differ.
            env.setdefault("KAFKA_GROUP_INSTANCE_ID", f"{spec.name}-{os.getpid()}")
        env["KAFKA_BOOTSTRAP_SERVERS"] = self.bootstrap_servers
        if spec.database:
            env[f"{spec.env_prefix}DATABASE_URL"] = self.postgres.create_database(spec.name)
        if spec.name == "console":
            # A service not started here is named empty, so the screen says "not available".
            env.update({f"CONSOLE_{other.name.upper()}_URL": self.urls.get(other.name, "")
                        for other in SERVICES if other is not spec})
            if AREAS_DIR.is_dir():
                env.setdefault("CONSOLE_AREAS_DIR", str(AREAS_DIR))
        env.update(self.extra_env)
        if spec.name in self.workers:
            env["WEB_CONCURRENCY"] = str(self.workers[spec.name])  # uvicorn's default for --workers
        return env

    def start_service(self, spec: ServiceSpec, port: int | None = None, replica: int = 1,
                      env: dict[str, str] | None = None) -> str:
        """Start one service with uvicorn; returns its base URL once /readyz answers 200.

        `replica` 2, 3... starts another process of a running service on a port of its own,
        sharing its database and consumer groups, known as `intake#2` in `processes` and `urls`.
        (`workers`, or `WEB_CONCURRENCY` for every service, instead runs several uvicorn workers
        behind the service's one port.) `env` adds to or overrides this process's environment
        (a replica with another role: dispatch's API-only replica for the position streams).
        """
        name = spec.name if replica == 1 else f"{spec.name}#{replica}"
        if port is None:
            wanted = replica == 1 and self.fixed_ports and port_is_free(spec.default_port)
            port = spec.default_port if wanted else free_port()
        log_dir = self.data_dir / "logs"
        log_dir.mkdir(parents=True, exist_ok=True)
        with (log_dir / f"{name}.log").open("ab") as log:
            self.processes[name] = subprocess.Popen(
                [sys.executable, "-m", "uvicorn", spec.app, "--host", "127.0.0.1", "--port", str(port),
                 "--no-access-log", "--timeout-graceful-shutdown", "10"],
                env={**self.service_env(spec), **(env or {})}, stdout=log, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                # Out of the terminal's process group: Ctrl-C reaches only the launcher,
                # which then stops services before the broker and the database.
                start_new_session=True,
            )
        url = f"http://127.0.0.1:{port}"
        self._wait_ready(name, url)
        self.urls[name] = url
        return url

    def start_all(self) -> dict[str, str]:
        """Infrastructure and every service; returns name → base URL."""
        self.start_infra()
        for spec in SERVICES:
            self.start_service(spec)
        return self.urls

    def stop_service(self, name: str) -> None:
        """Stop one service process gracefully."""
        process = self.processes.pop(name, None)
        if process is None:
            return
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        self.urls.pop(name, None)

    def stop(self) -> None:
        """Stop services, then the broker, then PostgreSQL."""
        for name in list(self.processes):
            self.stop_service(name)
        if self.broker is not None:
            self.broker.stop()
        if self.postgres is not None:
            self.postgres.stop()

    def _wait_ready(self, name: str, url: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        process = self.processes[name]
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"{name} exited with {process.returncode}; see {self.data_dir}/logs/{name}.log")
            try:
                with urllib.request.urlopen(f"{url}/readyz", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"{name} not ready after {timeout:.0f}s; see {self.data_dir}/logs/{name}.log")
