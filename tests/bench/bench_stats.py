"""Small statistics shared by the benchmark scripts and the simulator, and one service started to measure."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from oneteam_devstack.stack import Stack


def percentile(values: list[float], q: float) -> float:
    """The nearest-rank `q`th percentile of `values` (NaN when empty)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))]


class CpuMeter:
    """CPU seconds that some processes spent between two looks, their children included.

    On a machine shared with other work, throughput and latency say how busy the machine was;
    CPU seconds per report say what the code costs, so they compare runs fairly. Children that
    exited in between (database backends, worker processes) count through their parent.
    """

    def __init__(self, pids: dict[str, int]) -> None:
        import psutil

        self._processes = {name: psutil.Process(pid) for name, pid in pids.items()}
        self._start = self._now()

    def _now(self) -> dict[str, float]:
        totals = {}
        for name, process in self._processes.items():
            own = process.cpu_times()
            total = own.user + own.system + own.children_user + own.children_system
            for child in process.children(recursive=True):
                try:
                    times = child.cpu_times()
                    total += times.user + times.system
                except Exception:  # the child exited between listing and reading; its parent counts it
                    continue
            totals[name] = total
        return totals

    def lap(self) -> dict[str, float]:
        """CPU seconds per process since the last lap (or since the meter was made)."""
        now = self._now()
        spent = {name: now[name] - self._start[name] for name in now}
        self._start = now
        return spent


def per_item_ms(cpu: dict[str, float], items: int) -> dict[str, float]:
    """CPU milliseconds per item (report, detection), per process, from a `CpuMeter` lap."""
    return {name: seconds * 1000 / max(items, 1) for name, seconds in cpu.items()}


def postmaster_pid(data_dir: str) -> int:
    """The pid of the PostgreSQL server whose data folder is `data_dir`/pgdata (or `data_dir`)."""
    folder = Path(data_dir)
    pidfile = folder / "postmaster.pid"
    if not pidfile.exists():
        pidfile = folder / "pgdata" / "postmaster.pid"
    return int(pidfile.read_text().split()[0])


def stack_pids(stack: Stack, *, broker: bool = False) -> dict[str, int]:
    """The pids whose CPU to count in a started `oneteam_devstack.stack.Stack`: each service's and
    PostgreSQL's, and with `broker` the embedded broker's (none when Apache Kafka runs apart)."""
    assert stack.postgres is not None
    pids = {**{name: process.pid for name, process in stack.processes.items()},
            "postgres": postmaster_pid(str(stack.postgres.data_dir))}
    if broker and stack.broker is not None and stack.broker.pid is not None:
        pids["broker"] = stack.broker.pid
    return pids


@contextlib.contextmanager
def own_service(name: str, folder: Path, env: dict[str, str]) -> Iterator[tuple[str, dict[str, int]]]:
    """Embedded infrastructure and one service as its own process, as `make run` starts it, in
    `folder`; yields its URL and the pids whose CPU to count (the service's, PostgreSQL's and the
    embedded broker's, which carries what the service's outbox publishes)."""
    from oneteam_devstack.stack import SERVICES, Stack

    stack = Stack(folder, durable=False, fixed_ports=False, extra_env={"LOG_LEVEL": "WARNING", **env})
    try:
        stack.start_infra()
        url = stack.start_service(next(spec for spec in SERVICES if spec.name == name))
        yield url, stack_pids(stack, broker=True)
    except RuntimeError:
        log = folder / "logs" / f"{name}.log"
        print(log.read_text()[-3000:] if log.exists() else f"no {name} log", file=sys.stderr)
        raise
    finally:
        stack.stop()
