"""Test data shared by intake's integration tests."""

from __future__ import annotations

from typing import Any

from oneteam_contracts import GeoPoint

TENANT = "330106004"
PHOTO_PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def a_report(spot: GeoPoint | None = None, **changes: Any) -> dict[str, Any]:
    """A citizen's street-vending report, with contact details."""
    report: dict[str, Any] = {
        "tenant": TENANT, "category": "street_vending", "description": "摊贩占道经营",
        "location": {"lon": 120.125, "lat": 30.29} if spot is None else spot.model_dump(mode="json"),
        "contact": {"name": "张三", "phone": "13800001111"},
    }
    report.update(changes)
    return report
