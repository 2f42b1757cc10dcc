"""The daily report's PDF with its charts: what it costs, and how long it holds the event loop.

A report of six KPIs and twenty hotspots (no database or broker needed). Times the three charts,
the PDF as text and with the charts, then makes the PDF while a ticker asks the loop every 5 ms,
once on the loop (as before the drawing thread) and once through `charts.off_loop`, rounds
interleaved; the longest wait the ticker saw is how long a query or the consumer would have
waited. Prints the figures and writes them as JSON.

    .venv/bin/python services/evaluation/scripts/report_bench.py [--rounds 5] [--json PATH]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from oneteam_evaluation import charts
from oneteam_evaluation.documents import document
from oneteam_evaluation.domain.assessment import Hotspot
from oneteam_evaluation.domain.report import DailyReport, Line

KPIS = ["acknowledged", "coordinated", "arrived", "reported", "on_time_closure", "satisfaction"]
REPORT = DailyReport("330106004", "2026-11-25", [Line(k, k, 5, 10, 0.5, 0.9, 30.0, 90.0) for k in KPIS], [], [],
                     [Hotspot(f"G{i}", "street_vending", i % 24, 10 - i % 10, 5, 120.1 + i / 1000, 30.2 + i / 1000)
                      for i in range(20)])
SERIES = {k: [(f"2026-11-{d:02d}", 0.8 + d / 1000) for d in range(19, 26)] for k in charts.TREND}


def _pdf() -> bytes:
    return document(REPORT, charts.of_report(REPORT, SERIES))


def _ms(seconds: list[float]) -> float:
    return round(statistics.median(seconds) * 1000, 1)


async def _longest_wait(make: Callable[[], Awaitable[Any]]) -> float:
    """The longest gap between two ticks of a 5 ms ticker while `make` runs."""
    longest, done = 0.0, asyncio.Event()

    async def tick() -> None:
        nonlocal longest
        last = time.perf_counter()
        while not done.is_set():
            await asyncio.sleep(0.005)
            now = time.perf_counter()
            longest, last = max(longest, now - last), now

    ticker = asyncio.create_task(tick())
    await asyncio.sleep(0.02)
    await make()
    done.set()
    await ticker
    return longest


async def _on_loop() -> None:
    _pdf()


async def _off_loop() -> None:
    await charts.off_loop(_pdf)


async def measure(rounds: int) -> dict[str, Any]:
    """Median milliseconds of each step, and of the loop's longest wait each way."""
    _pdf()  # warm-up: fonts, caches
    steps: dict[str, list[float]] = {"charts": [], "pdf_text": [], "pdf_with_charts": []}
    waits: dict[str, list[float]] = {"on_loop": [], "off_loop": []}
    for _ in range(rounds):
        started = time.perf_counter()
        drawn = charts.of_report(REPORT, SERIES)
        steps["charts"].append(time.perf_counter() - started)
        started = time.perf_counter()
        document(REPORT)
        steps["pdf_text"].append(time.perf_counter() - started)
        started = time.perf_counter()
        document(REPORT, drawn)
        steps["pdf_with_charts"].append(time.perf_counter() - started)
        waits["on_loop"].append(await _longest_wait(_on_loop))
        waits["off_loop"].append(await _longest_wait(_off_loop))
    return {"rounds": rounds, "load_average": os.getloadavg()[0],
            **{f"{k}_ms": _ms(v) for k, v in steps.items()},
            **{f"loop_longest_wait_{k}_ms": _ms(v) for k, v in waits.items()}}


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--json", type=Path, default=Path(".data/bench/evaluation-report.json"))
    arguments = parser.parse_args()
    measured = asyncio.run(measure(arguments.rounds))
    for name, value in measured.items():
        print(f"{name:32} {value}")
    arguments.json.parent.mkdir(parents=True, exist_ok=True)
    arguments.json.write_text(json.dumps(measured, indent=2) + "\n")
    print(f"figures written to {arguments.json}")


if __name__ == "__main__":
    main()
