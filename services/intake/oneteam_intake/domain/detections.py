"""AI-camera detections: confidence thresholds per label, and the auto-dispatch list."""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from oneteam_contracts import GeoPoint
from oneteam_intake.domain.catalog import CameraLabel, Catalog, Category
from oneteam_intake.domain.geography import Placement
from oneteam_intake.domain.merging import find_duplicate, search_box, suppressed_by
from oneteam_intake.domain.reports import Incident, Merged, NewReport, Opened, join_incident, open_incident


class Verdict(StrEnum):
    """What to do with one detection."""

    IGNORE = "ignore"  # below the label's floor: noise
    REVIEW = "review"  # a person confirms it first
    ACCEPT = "accept"  # straight through to an incident


def judge(label: CameraLabel, category: Category, confidence: float) -> Verdict:
    """Below `ignore_below` → ignore; below `review_below`, or a category not on the
    auto-dispatch list → review; otherwise accept."""
    if confidence < label.ignore_below:
        return Verdict.IGNORE
    if confidence < label.review_below or not category.auto_dispatch:
        return Verdict.REVIEW
    return Verdict.ACCEPT


# Cells of the batch's spatial index: about 550 m of latitude. A search box spans a few of them.
_CELL_DEG = 0.005


class BatchPlacement:
    """Where each report of one batch goes (a camera batch's detections, or reports that arrived
    together), decided in memory in the order sent.

    Starts from what the database holds for the batch (the open incidents near any of its
    detections, and the cameras' suppression rows) and applies the same rules a single report
    meets, detection by detection: the camera's suppression window first, then the nearest
    open incident of the category within its radius and window, else a new incident. An
    incident opened or joined earlier in the batch counts for the later detections exactly as
    if it had been committed in between, so one batch decides what the same detections sent
    one by one would.
    """

    def __init__(self, catalog: Catalog, known: Iterable[Incident],
                 suppressions: dict[tuple[str, str], tuple[UUID, datetime]]) -> None:
        self._catalog = catalog
        self.incidents: dict[UUID, Incident] = {}
        self.suppressions = dict(suppressions)
        self.opened: set[UUID] = set()
        self.touched: set[tuple[str, str]] = set()  # suppression rows the batch changed
        self._cells: dict[tuple[str, int, int], list[UUID]] = {}
        self._before: dict[UUID, int] = {}  # report counts as loaded: which loaded incidents changed
        for incident in known:
            self._remember(incident)

    def place(self, report_id: UUID, report: NewReport, category: Category, placement: Placement, now: datetime,
              camera: tuple[str, CameraLabel] | None = None) -> Opened | Merged:
        """Open or join an incident for one accepted report (a detection: with its camera and
        label), and remember it for the next ones."""
        target: Incident | None = None
        seen = self.suppressions.get((camera[0], camera[1].label)) if camera is not None else None
        if camera is not None and seen is not None:
            target = suppressed_by(camera[1], self.incidents.get(seen[0]), seen[1], now)
        if target is None:
            target = find_duplicate(report.tenant, category, report.location, self._near(category, report.location),
                                    now)
        outcome: Opened | Merged
        if target is not None:
            outcome = join_incident(target, report, self._catalog, category, now, report_id)
        else:
            outcome = open_incident(report, category, placement, now, report_id)
            self.opened.add(outcome.incident.id)
        self._remember(outcome.incident)
        if camera is not None:
            self.suppressions[(camera[0], camera[1].label)] = (outcome.incident.id, now)
            self.touched.add((camera[0], camera[1].label))
        return outcome

    def merged_earlier(self) -> list[Incident]:
        """Incidents that existed before the batch and were joined by it, as they stand now."""
        return [incident for incident_id, incident in self.incidents.items()
                if incident_id not in self.opened and incident.report_count > self._before[incident_id]]

    def opened_now(self) -> list[Incident]:
        """Incidents the batch opened, as they stand after every detection (in the order opened)."""
        return [self.incidents[incident_id] for incident_id in self.incidents if incident_id in self.opened]

    def _remember(self, incident: Incident) -> None:
        if incident.id not in self.incidents:
            self._cell_list(incident.category, incident.location).append(incident.id)
            if incident.id not in self.opened:
                self._before[incident.id] = incident.report_count
        self.incidents[incident.id] = incident

    def _cell_list(self, category: str, location: GeoPoint) -> list[UUID]:
        key = (category, math.floor(location.lon / _CELL_DEG), math.floor(location.lat / _CELL_DEG))
        return self._cells.setdefault(key, [])

    def _near(self, category: Category, location: GeoPoint) -> Iterator[Incident]:
        min_lon, min_lat, max_lon, max_lat = search_box(location, category.dedup_radius_m)
        for x in range(math.floor(min_lon / _CELL_DEG), math.floor(max_lon / _CELL_DEG) + 1):
            for y in range(math.floor(min_lat / _CELL_DEG), math.floor(max_lat / _CELL_DEG) + 1):
                for incident_id in self._cells.get((category.code, x, y), ()):
                    yield self.incidents[incident_id]
