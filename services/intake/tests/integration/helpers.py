"""Test data shared by intake's integration tests."""

from __future__ import annotations

from typing import Any

from oneteam_contracts import GeoPoint

TENANT = "330106004"
PHOTO_PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def between(spot: GeoPoint, east: float = 0.5, north: float = 0.5) -> GeoPoint:
    """A point `east` and `north` grid steps from a `conftest.Spots` point (steps 0.0035° × 0.003°).

    Every intake module consumes `report.submitted` from the start of the topic, so a platform
    report another module published there reaches this module's intake too, at that module's
    spot: the same grid. Half a step is more than any merge radius (150 m) from the grid, and
    the two offsets used, (0.5, 0.5) and (0.5, 0), are that far from each other too.
    """
    return GeoPoint(lon=round(spot.lon + 0.0035 * east, 6), lat=round(spot.lat + 0.003 * north, 6))


def a_report(spot: GeoPoint | None = None, **changes: Any) -> dict[str, Any]:
    """A citizen's street-vending report, with contact details."""
    report: dict[str, Any] = {
        "tenant": TENANT, "category": "street_vending", "description": "摊贩占道经营",
        "location": {"lon": 120.125, "lat": 30.29} if spot is None else spot.model_dump(mode="json"),
        "contact": {"name": "张三", "phone": "13800001111"},
    }
    report.update(changes)
    return report
