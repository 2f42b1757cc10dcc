"""The daily report (日报) as files people open: an Excel workbook and a Chinese PDF."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import asdict, fields
from typing import Any

from openpyxl import Workbook

from oneteam_evaluation.domain.assessment import SCORED, Hotspot, Scorecard
from oneteam_evaluation.domain.report import DailyReport, Line
from oneteam_servicekit.pdf import render_pdf


def workbook(report: DailyReport) -> bytes:
    """The report as four sheets: 指标 (KPIs), 队伍 (teams), 队员 (officers), 热点 (hotspots)."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "指标"
    sheet.append([f.name for f in fields(Line)])
    for line in report.lines:
        sheet.append(list(asdict(line).values()))
    for title, cards in (("队伍", report.teams), ("队员", report.officers)):
        _scorecards(book.create_sheet(title), cards)
    spots = book.create_sheet("热点")
    spots.append([f.name for f in fields(Hotspot)])
    for spot in report.hotspots:
        spots.append(list(asdict(spot).values()))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _scorecards(sheet: Any, cards: list[Scorecard]) -> None:
    sheet.append(["key", "orders", "busy_s", "distance_m", *SCORED, "score"])
    for card in cards:
        sheet.append([card.key, card.orders, card.busy_s, card.distance_m, *(card.shares.get(n) for n in SCORED),
                      card.score])


def document(report: DailyReport, charts: Sequence[bytes] = ()) -> bytes:
    """The report as a Chinese PDF: KPIs beside their targets, teams' scores, hotspots, then `charts` (PNG)."""
    def share(value: float | None) -> str:
        return "—" if value is None else f"{value * 100:.1f}%"

    lines = ["指标"]
    lines += [f"{line.title}（{line.kpi}）：{share(line.value)}（{line.numerator}/{line.denominator}），"
              f"目标 {share(line.target)}" for line in report.lines]
    lines += ["", "队伍"]
    lines += [f"{card.key}：派单 {card.orders}，得分 {'—' if card.score is None else card.score}"
              for card in report.teams]
    lines += ["", "热点"]
    lines += [f"{spot.grid} {spot.category} {spot.hour:02d}时：{spot.count}（前期 {spot.previous}）"
              for spot in report.hotspots]
    return render_pdf("效能评价日报", f"{report.tenant} {report.day}", lines, charts)
