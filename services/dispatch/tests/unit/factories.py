"""Small builders for the unit tests: officers and incidents around Cuiyuan."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

from oneteam_contracts import GeoPoint, Priority
from oneteam_dispatch.domain.matching import Demand
from oneteam_dispatch.domain.officers import Officer, OfficerStatus, TravelMode
from oneteam_dispatch.domain.responsibility import Need

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)  # 10:00 in Hangzhou
ORIGIN = GeoPoint(lon=120.12, lat=30.29)
METRES_PER_DEGREE_LON = 111_320 * 0.8643  # cos(30.29°)


def east(metres: float) -> GeoPoint:
    """A point `metres` east of the origin."""
    return GeoPoint(lon=ORIGIN.lon + metres / METRES_PER_DEGREE_LON, lat=ORIGIN.lat)


def officer(id: str, at: GeoPoint, *, department: str = "comprehensive_enforcement", skills: tuple[str, ...] = (),
            district: str | None = None, mode: TravelMode = TravelMode.E_BIKE, fresh: bool = True,
            status: OfficerStatus = OfficerStatus.AVAILABLE, tenant: str = "330106004") -> Officer:
    return Officer(id=id, tenant=tenant, name=id, team=None, status=status, position=at, last_assigned_at=None,
                   department=department, district=district, skills=frozenset(skills), mode=mode,
                   position_at=NOW - timedelta(seconds=20) if fresh else NOW - timedelta(minutes=30))


def incident(at: GeoPoint, *needs: Need, district: str | None = None, priority: Priority = Priority.NORMAL,
             excluded: frozenset[str] = frozenset()) -> Demand:
    return Demand(uuid4(), "330106004", at, needs or (Need("comprehensive_enforcement"),), district, priority,
                  300.0, excluded)
