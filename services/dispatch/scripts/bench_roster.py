"""The matcher's roster read, timed against a real PostgreSQL: the whole tenant before, the batch's reach now.

    .venv/bin/python services/dispatch/scripts/bench_roster.py                  # 7 750 officers
    .venv/bin/python services/dispatch/scripts/bench_roster.py --officers 750 --repeat 50

It starts embedded PostgreSQL in a temporary folder, migrates dispatch's database, writes the
pipeline benchmark's roster (tests/bench/pipeline.py: officers spread over Cuiyuan) and a day of
orders (`--open` still open, as many closed), then times, alternating so the machine's load
falls on each alike:

- *before*: the read as it was until this change — every available officer of the tenant, each
  with a correlated count of their open orders, each row's position validated again;
- *tenant*: the same officers with today's `list_officers` (one grouped count, rows built plainly);
- *batch of N*: today's `reachable_officers` for N incidents at the pipeline's report spots;
- *batch of N, rows kept*: the same with the officers kept between reads (`RosterRows`), as the
  matcher reads them: only rows written since the last read are read again (here none: nobody moves).

Printed (p50 / p90 ms and rows) and kept in results/roster.json beside the previous run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

from oneteam_contracts import GeoPoint
from oneteam_devstack.postgres import EmbeddedPostgres
from oneteam_devstack.testing import roster
from oneteam_dispatch.config import parse_shift
from oneteam_dispatch.domain.matching import Demand, Policy
from oneteam_dispatch.domain.officers import Officer, OfficerStatus, TravelMode
from oneteam_dispatch.domain.reach import reaches
from oneteam_dispatch.domain.responsibility import Need
from oneteam_dispatch.main import MIGRATIONS
from oneteam_dispatch.store import officers as officer_store
from oneteam_dispatch.store.tables import assignments, officers
from oneteam_servicekit.migrations import upgrade

TENANT = "330106004"
RESULTS = Path(__file__).parent / "results" / "roster.json"
OPEN = ["created", "acknowledged", "arrived"]


async def before(session: AsyncSession) -> list[Officer]:
    """The read as it was: a correlated count per officer, and each position validated again."""
    workload = (select(func.count()).select_from(assignments)
                .where(assignments.c.officer_ids.any_() == officers.c.id, assignments.c.status.in_(OPEN))
                .correlate(officers).scalar_subquery().label("active_orders"))
    query = (select(officers, workload).where(officers.c.tenant == TENANT, officers.c.status == "available")
             .order_by(officers.c.id))
    found = []
    for row in (await session.execute(query)).all():
        r = row._mapping
        found.append(Officer(
            id=r["id"], tenant=r["tenant"], name=r["name"], team=r["team"], status=OfficerStatus(r["status"]),
            position=GeoPoint(lon=r["lon"], lat=r["lat"]) if r["lon"] is not None else None,
            last_assigned_at=r["last_assigned_at"], department=r["department"], district=r["district"],
            skills=frozenset(r["skills"]), mode=TravelMode(r["mode"]),
            shifts=tuple(parse_shift(s) for s in r["shifts"]), position_at=r["position_at"],
            active_orders=int(r["active_orders"] or 0)))
    return found


async def fill(session: AsyncSession, size: int, open_orders: int) -> None:
    """The pipeline's roster, and as many closed orders as open ones (their officers busy)."""
    now = datetime.now(UTC)
    await session.execute(insert(officers), [
        {"id": o["id"], "tenant": TENANT, "name": o["name"], "team": o["team"], "skills": o["skills"],
         "status": "available", "lon": o["position"]["lon"], "lat": o["position"]["lat"], "position_at": now}
        for o in roster(size)])
    rng = random.Random(5)
    ids = [f"test-{i:05d}" for i in range(size)]
    orders = []
    for n in range(2 * open_orders):
        chosen = rng.choice(ids)
        orders.append({"id": uuid.uuid4(), "tenant": TENANT, "incident_id": uuid.uuid4(), "officer_id": chosen,
                       "officer_ids": [chosen], "category": "street_vending", "priority": "normal", "lon": 120.12,
                       "lat": 30.29, "status": OPEN[n % 3] if n < open_orders else "reported", "reason": "bench",
                       "deadlines": {}, "created_at": now})
    await session.execute(insert(assignments), orders)
    busy = sorted({o["officer_id"] for o in orders[:open_orders]})
    await session.execute(update(officers).where(officers.c.id.in_(busy)).values(status="assigned"))


def batch(size: int, rng: random.Random) -> list[Demand]:
    """`size` street-vending incidents where the pipeline benchmark reports them."""
    return [Demand(uuid.uuid4(), TENANT, GeoPoint(lon=rng.uniform(120.108, 120.142), lat=rng.uniform(30.277, 30.303)),
                   (Need("comprehensive_enforcement", frozenset({"street_order"})),)) for _ in range(size)]


async def measure(url: str, repeat: int, sizes: list[int]) -> dict[str, Any]:
    engine = create_async_engine(url, pool_size=2)
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    rng = random.Random(9)
    reads: dict[str, Callable[[AsyncSession], Awaitable[list[Officer]]]] = {
        "before": before,
        "tenant": lambda s: officer_store.list_officers(s, TENANT, status=OfficerStatus.AVAILABLE)}
    kept = officer_store.RosterRows()  # as a dispatch process keeps them between matches
    for n in sizes:
        reads[f"batch of {n}"] = lambda s, n=n: officer_store.reachable_officers(s, TENANT,
                                                                                 reaches(batch(n, rng), Policy()))
        reads[f"batch of {n}, rows kept"] = lambda s, n=n: officer_store.reachable_officers(
            s, TENANT, reaches(batch(n, rng), Policy()), kept)
    times: dict[str, list[float]] = {name: [] for name in reads}
    rows: dict[str, list[int]] = {name: [] for name in reads}
    for k in range(repeat + 2):  # two warm-up rounds: statement caches, PostgreSQL's buffers
        for name, read in reads.items():
            async with sessions() as session:
                started = time.perf_counter()
                found = await read(session)
                elapsed = (time.perf_counter() - started) * 1000
            if k >= 2:
                times[name].append(elapsed)
                rows[name].append(len(found))
    await engine.dispose()
    return {name: {"p50_ms": statistics.median(t), "p90_ms": statistics.quantiles(t, n=10)[-1],
                   "rows_mean": statistics.fmean(rows[name])} for name, t in times.items()}


async def prepare(url: str, size: int, open_orders: int) -> None:
    await upgrade(MIGRATIONS, url)
    engine = create_async_engine(url)
    async with engine.begin() as connection:
        await fill(AsyncSession(bind=connection), size, open_orders)
        await connection.exec_driver_sql("ANALYZE")
    await engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--officers", type=int, default=7750)
    parser.add_argument("--open", type=int, default=1500, help="open orders (as many closed ones are written too)")
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--batches", default="1,3,20", help="incidents per batch, one timing each")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="oneteam-roster-") as folder:
        postgres = EmbeddedPostgres(Path(folder) / "postgres", durable=False).start()
        try:
            url = postgres.create_database("roster")
            asyncio.run(prepare(url, args.officers, args.open))
            figures = asyncio.run(measure(url, args.repeat, [int(n) for n in args.batches.split(",")]))
        finally:
            postgres.stop()
    print(f"roster read, {args.officers} officers, {args.open} open orders, {args.repeat} rounds "
          f"(load average {os.getloadavg()[0]:.1f})")
    base = figures["before"]["p50_ms"]
    for name, f in figures.items():
        print(f"{name:>12}: p50 {f['p50_ms']:7.1f} ms  p90 {f['p90_ms']:7.1f} ms  rows {f['rows_mean']:7.0f}  "
              f"p50 vs before {f['p50_ms'] / base:5.3f}")
    result = {"officers": args.officers, "open_orders": args.open, "repeat": args.repeat, "figures": figures,
              "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {sys.version.split()[0]}",
              "load_average": os.getloadavg(), "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}
    kept = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    result["previous"] = {k: v for k, v in kept.items() if k != "previous"} or None
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print(f"results: {RESULTS}")


if __name__ == "__main__":
    main()
