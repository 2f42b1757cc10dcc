"""Which open incident, if any, a new report duplicates.

Same tenant and category, still open, its latest report within the category's window, and
within the category's radius: the nearest such incident wins. Measuring the window from the
latest report (not the first) keeps a problem that is reported all afternoon one incident.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import datetime

from oneteam_contracts import GeoPoint, haversine_m
from oneteam_intake.domain.catalog import CameraLabel, Category
from oneteam_intake.domain.reports import Incident


def find_duplicate(tenant: str, category: Category, location: GeoPoint, candidates: Iterable[Incident],
                   now: datetime) -> Incident | None:
    """The open incident the report should join, or None to open a new one."""
    best: tuple[float, Incident] | None = None
    for incident in candidates:
        if incident.tenant != tenant or incident.category != category.code or not incident.is_open:
            continue
        if now - incident.last_report_at > category.dedup_window:
            continue
        distance = haversine_m(location.lon, location.lat, incident.location.lon, incident.location.lat)
        if distance <= category.dedup_radius_m and (best is None or distance < best[0]):
            best = (distance, incident)
    return best[1] if best else None


def suppressed_by(label: CameraLabel, incident: Incident | None, last_seen: datetime | None,
                  now: datetime) -> Incident | None:
    """The incident a camera's repeated detection joins: same camera and label, within the window."""
    if incident is None or last_seen is None or not incident.is_open:
        return None
    return incident if now - last_seen <= label.suppress_window else None


def search_box(location: GeoPoint, radius_m: float) -> tuple[float, float, float, float]:
    """(min lon, min lat, max lon, max lat) around `location` that contains the radius."""
    dlat = radius_m / 111_000.0
    dlon = radius_m / (111_000.0 * max(0.01, math.cos(math.radians(location.lat))))
    return location.lon - dlon, location.lat - dlat, location.lon + dlon, location.lat + dlat
