"""Faults injected under load: does every accepted report reach dispatch exactly once?

Starts the suite as separate processes (embedded PostgreSQL, and the embedded broker unless
KAFKA_BOOTSTRAP_SERVERS names one), offers reports at a steady rate as grid-worker phones
would (each retried with its own Idempotency-Key until accepted), injects one fault in the
middle of the run, and then counts, from the assignments topic:

- offered: reports sent; accepted: reports intake answered 201 (after retries);
- lost: incidents opened by accepted reports that never got an `assignment.created`;
- doubled: incidents that got more than one `assignment.created`;
- longest stall: the slowest report → assignment time, which spans the fault.

    .venv/bin/python tests/bench/faults.py [--faults kill-dispatch,db-outage] [--rate 10] [--seconds 30]

Faults: kill-dispatch and kill-intake (kill -9, restarted 1 s later as a supervisor would),
stop-dispatch (down 20 s), db-outage (dispatch's database refuses connections for 15 s,
through a proxy), db-restart (PostgreSQL itself restarted, every service loses it).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import random
import signal
import tempfile
import threading
import time
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

import httpx
from bench_stats import percentile
from pipeline import TENANT, Watcher

from oneteam_devstack.faults import TcpProxy
from oneteam_devstack.stack import SERVICES, Stack
from oneteam_devstack.testing import roster
from oneteam_servicekit import ServiceSettings
from oneteam_servicekit.auth import Role, issue_token

FAULTS = ["kill-dispatch", "kill-intake", "stop-dispatch", "db-outage", "db-restart"]


class ProxiedStack(Stack):
    """A stack whose dispatch reaches PostgreSQL through a proxy the script can cut."""

    proxy: TcpProxy | None = None

    def service_env(self, spec: Any) -> dict[str, str]:
        env = super().service_env(spec)
        if spec.name == "dispatch" and self.proxy is not None and self.postgres is not None:
            key = f"{spec.env_prefix}DATABASE_URL"
            env[key] = env[key].replace(f":{self.postgres.port}/", f":{self.proxy.port}/")
        return env


class ProxyThread:
    """Runs the proxy's event loop beside the script's own, so a synchronous stack start can use it."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        threading.Thread(target=self.loop.run_forever, daemon=True).start()

    def call(self, make: Callable[[], Coroutine[Any, Any, Any]]) -> Any:
        return asyncio.run_coroutine_threadsafe(make(), self.loop).result(30)


class Phone:
    """A grid worker's phone: each report retried with the same key until intake accepts it."""

    def __init__(self, client: httpx.AsyncClient, intake: str, seed: int) -> None:
        token = issue_token(ServiceSettings(), "faults-phone", [Role.GRID_WORKER], tenant=TENANT)
        self._headers = {"Authorization": f"Bearer {token}"}
        self._client, self._intake = client, intake
        self._seed = seed
        self.opened: dict[str, float] = {}   # incident → when its report was first sent
        self.accepted = 0
        self.retries = 0

    async def report(self, n: int) -> None:
        key, began = f"faults-{self._seed}-{n}", time.perf_counter()
        # Spread over the tenant, as pipeline.py does, so most reports open incidents of their own.
        rng = random.Random(n)
        body = {"tenant": TENANT, "category": "street_vending", "source": "grid_worker", "description": "fault run",
                "location": {"lon": round(rng.uniform(120.108, 120.142), 6),
                             "lat": round(rng.uniform(30.277, 30.303), 6)}}
        for _ in range(120):  # a phone gives up after about two minutes
            try:
                response = await self._client.post(f"{self._intake}/v1/reports", json=body,
                                                   headers={**self._headers, "Idempotency-Key": key})
                if response.status_code in (200, 201):
                    answer = response.json()
                    self.accepted += 1
                    if not answer.get("merged"):
                        self.opened.setdefault(answer["incident_id"], began)
                    return
            except httpx.HTTPError:
                pass
            self.retries += 1
            await asyncio.sleep(1)


class Counting(Watcher):
    """The pipeline watcher, also counting distinct assignments per incident."""

    def __init__(self, bootstrap: str) -> None:
        super().__init__(bootstrap)
        self.assignments: dict[str, set[str]] = {}

    def created(self, data: dict[str, Any], now: float) -> None:
        super().created(data, now)
        self.assignments.setdefault(data["incident_id"], set()).add(data["assignment_id"])


async def inject(fault: str, stack: ProxiedStack, proxy: ProxyThread) -> None:
    """Break one thing, then mend it."""
    spec = {s.name: s for s in SERVICES}
    if fault in ("kill-dispatch", "kill-intake", "stop-dispatch"):
        name = fault.split("-")[1]
        port = int(stack.urls[name].rsplit(":", 1)[1])
        process = stack.processes.pop(name)
        process.send_signal(signal.SIGKILL if fault.startswith("kill") else signal.SIGTERM)
        await asyncio.to_thread(process.wait)
        await asyncio.sleep(1 if fault.startswith("kill") else 20)
        await asyncio.to_thread(stack.start_service, spec[name], port)
    elif fault == "db-outage":
        assert stack.proxy is not None
        await asyncio.to_thread(proxy.call, stack.proxy.cut)
        await asyncio.sleep(15)
        await asyncio.to_thread(proxy.call, stack.proxy.restore)
    elif fault == "db-restart":
        assert stack.postgres is not None
        await asyncio.to_thread(stack.postgres.stop)
        await asyncio.sleep(2)
        await asyncio.to_thread(stack.postgres.start)


async def run_fault(fault: str, stack: ProxiedStack, proxy: ProxyThread, rate: float, seconds: float,
                    seed: int) -> dict[str, Any]:
    watcher = Counting(stack.bootstrap_servers)
    await watcher.start()
    try:
        async with httpx.AsyncClient(timeout=10) as client:
            phone = Phone(client, stack.urls["intake"], seed)
            began = time.perf_counter()
            offered = round(rate * seconds)
            reports = []
            fault_task = None
            for n in range(offered):
                await asyncio.sleep(max(0.0, began + n / rate - time.perf_counter()))
                if fault_task is None and n >= offered // 3:
                    fault_task = asyncio.create_task(inject(fault, stack, proxy))
                reports.append(asyncio.create_task(phone.report(n)))
            await asyncio.gather(*reports)
            if fault_task is not None:
                await fault_task
            await watcher.wait_for(set(phone.opened), timeout=90)
    finally:
        await watcher.stop()
    latency = [watcher.arrived[i] - t for i, t in phone.opened.items() if i in watcher.arrived]
    return {"fault": fault, "offered": offered, "accepted": phone.accepted, "retries": phone.retries,
            "incidents": len(phone.opened), "lost": len(set(phone.opened) - watcher.arrived.keys()),
            "doubled": sum(1 for i in phone.opened if len(watcher.assignments.get(i, ())) > 1),
            "longest_stall_s": max(latency, default=float("nan")),
            "p50_s": percentile(latency, 50)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--faults", default=",".join(FAULTS), help=f"comma-separated, of: {', '.join(FAULTS)}")
    parser.add_argument("--rate", type=float, default=10.0, help="reports offered per second")
    parser.add_argument("--seconds", type=float, default=30.0, help="length of each run")
    args = parser.parse_args()
    faults = [f for f in args.faults.split(",") if f]
    unknown = set(faults) - set(FAULTS)
    if unknown:
        parser.error(f"unknown fault(s): {', '.join(sorted(unknown))}")
    rows = []
    for seed, fault in enumerate(faults):
        with tempfile.TemporaryDirectory(prefix="oneteam-faults-") as folder:
            roster_file = Path(folder) / "roster.json"
            roster_file.write_text(json.dumps(roster(int(args.rate * args.seconds) + 50)))
            stack = ProxiedStack(Path(folder), durable=True, fixed_ports=False,
                                 extra_env={"DISPATCH_ROSTER_FILE": str(roster_file), "LOG_LEVEL": "WARNING"})
            proxy = ProxyThread()
            try:
                stack.start_infra()
                assert stack.postgres is not None
                stack.proxy = proxy.call(TcpProxy("127.0.0.1", stack.postgres.port).start)
                for spec in SERVICES:
                    stack.start_service(spec)
                print(f"{fault}: suite up, offering {args.rate:g}/s for {args.seconds:g} s", flush=True)
                run = run_fault(fault, stack, proxy, args.rate, args.seconds, seed + int(time.time()))
                rows.append(asyncio.run(run))
            finally:
                with contextlib.suppress(Exception):
                    stack.stop()
                if stack.proxy is not None:
                    proxy.call(stack.proxy.stop)
    print("\nfault            offered  accepted  retries  incidents  lost  doubled  longest stall  p50")
    for r in rows:
        print(f"{r['fault']:15s}  {r['offered']:7d}  {r['accepted']:8d}  {r['retries']:7d}  {r['incidents']:9d}  "
              f"{r['lost']:4d}  {r['doubled']:7d}  {r['longest_stall_s']:11.1f} s  {r['p50_s']:.2f} s")


if __name__ == "__main__":
    main()
