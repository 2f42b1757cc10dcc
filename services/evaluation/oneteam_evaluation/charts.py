"""The daily report's charts as PNG: the KPIs' trend, the 1-3-5-8 funnel, the hotspot map.

matplotlib's object API with the Agg canvas (no pyplot state, safe in a server). Labels are
the KPIs' codes and plain English, so the charts need no CJK font on the server.
"""

from __future__ import annotations

import asyncio
import functools
import io
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import ParamSpec, TypeVar

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from oneteam_evaluation.domain.assessment import Hotspot
from oneteam_evaluation.domain.report import DailyReport, Line

FUNNEL = ("acknowledged", "coordinated", "arrived", "reported")  # 1-3-5-8, in the order of the clock
TREND = ["acknowledged", "arrived", "reported", "on_time_closure", "satisfaction"]  # the trend chart's KPIs
Series = Mapping[str, Sequence[tuple[str, float | None]]]
P = ParamSpec("P")
R = TypeVar("R")
# One thread draws, one drawing at a time: a report's charts and PDF take over a second of CPU,
# which on the event loop would stall the consumer and every query meanwhile; and matplotlib is
# not thread-safe, so two drawings never run side by side.
_DRAWER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="evaluation-charts")


async def off_loop(draw: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
    """`draw(*args, **kwargs)` on the drawing thread, awaited: charts and documents are made there."""
    return await asyncio.get_running_loop().run_in_executor(_DRAWER, functools.partial(draw, *args, **kwargs))


def _png(figure: Figure) -> bytes:
    FigureCanvasAgg(figure)
    out = io.BytesIO()
    figure.savefig(out, format="png", dpi=100, bbox_inches="tight")
    return out.getvalue()


def of_report(report: DailyReport, series: Series) -> list[bytes]:
    """The report's three charts, in the order the PDF prints them: trend (of `series`), funnel, hotspot map."""
    return [trend(report.day, series), funnel(report.day, report.lines), hotspot_map(report.day, report.hotspots)]


def trend(day: str, series: Series) -> bytes:
    """One line per KPI: its share on each day up to `day` (a day with nothing counted is a gap)."""
    figure = Figure(figsize=(8, 4))
    axes = figure.add_subplot()
    for name, points in series.items():
        axes.plot([label[5:] for label, _ in points], [float("nan") if v is None else v * 100 for _, v in points],
                  marker="o", label=name)
    axes.set_ylim(0, 105)
    axes.set_ylabel("%")
    axes.set_title(f"KPI trend to {day}")
    axes.grid(alpha=0.3)
    axes.legend(loc="lower left", fontsize="small")
    return _png(figure)


def funnel(day: str, lines: Sequence[Line]) -> bytes:
    """The 1-3-5-8 shares of the day as bars, each beside its target."""
    by_name = {line.kpi: line for line in lines}
    shown = [by_name[name] for name in FUNNEL if name in by_name]
    figure = Figure(figsize=(7, 3.5))
    axes = figure.add_subplot()
    labels = [f"{line.kpi}\n{line.numerator}/{line.denominator}" for line in shown]
    axes.barh(labels, [(line.value or 0) * 100 for line in shown], color="#3b7dd8")
    for row, line in enumerate(shown):
        if line.target is not None:
            axes.plot([line.target * 100] * 2, [row - 0.4, row + 0.4], color="#d62728")
    axes.invert_yaxis()
    axes.set_xlim(0, 100)
    axes.set_xlabel("% of orders (red: target)")
    axes.set_title(f"1-3-5-8 on {day}")
    return _png(figure)


def hotspot_map(day: str, spots: Sequence[Hotspot]) -> bytes:
    """The hotspot cells at their incidents' mean position (WGS-84), sized by count, coloured by trend."""
    placed = [(s, s.lon, s.lat) for s in spots if s.lon is not None and s.lat is not None]
    figure = Figure(figsize=(6, 6))
    axes = figure.add_subplot()
    if placed:
        axes.scatter([lon for _, lon, _ in placed], [lat for _, _, lat in placed],
                     s=[40 + 30 * s.count for s, _, _ in placed],
                     c=["#d62728" if s.count > s.previous else "#2ca02c" for s, _, _ in placed], alpha=0.6)
        for s, lon, lat in placed:
            axes.annotate(f"{s.grid} {s.category} {s.hour:02d}h", (lon, lat), fontsize="x-small")
    else:
        axes.text(0.5, 0.5, "no hotspots", ha="center", transform=axes.transAxes)
    axes.set_xlabel("longitude")
    axes.set_ylabel("latitude")
    axes.set_title(f"Hotspots on {day} (red: more than the day before)")
    axes.set_aspect("equal", adjustable="datalim")
    return _png(figure)
