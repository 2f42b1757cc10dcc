"""Where a point lies: a tenant's outline, districts (片区) and grids (网格).

Boundary rule: a point inside the tenant's outline or exactly on it is accepted (the outline
"covers" it). A point on an edge shared by two districts or grids lies in both; it is placed
in the one with the smaller code, so the answer never depends on file order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

import shapely  # type: ignore[import-untyped]
from shapely import STRtree
from shapely.geometry import Point  # type: ignore[import-untyped]
from shapely.geometry.base import BaseGeometry  # type: ignore[import-untyped]
from shapely.ops import nearest_points  # type: ignore[import-untyped]
from shapely.prepared import prep  # type: ignore[import-untyped]

from oneteam_contracts import GeoPoint, haversine_m
from oneteam_servicekit.errors import InvalidRequest


class OutsideTenant(InvalidRequest):
    """The point is not inside the tenant that the report names."""

    type = "outside-tenant"
    title = "Location outside the tenant"


@dataclass(frozen=True)
class Area:
    """A district or grid polygon."""

    code: str
    name: str
    shape: BaseGeometry
    district: str | None = None  # for a grid: the district it belongs to


@dataclass(frozen=True)
class Placement:
    """The district and grid a point lies in (None where no polygon covers it)."""

    district: str | None
    grid: str | None


class TenantMap:
    """One tenant's outline, districts and grids, indexed for point look-ups."""

    def __init__(self, tenant: str, outline: BaseGeometry, districts: Sequence[Area], grids: Sequence[Area],
                 reopen_window: timedelta | None = None) -> None:
        self.tenant = tenant
        self.reopen_window = reopen_window  # None: the rule's default (domain.reopen)
        self.outline = outline
        self._outline = prep(outline)
        self.districts = list(districts)
        self.grids = list(grids)
        self._district_tree = STRtree([area.shape for area in self.districts])
        self._grid_tree = STRtree([area.shape for area in self.grids])

    def locate(self, point: GeoPoint, field_name: str = "location") -> Placement:
        """The placement of a WGS-84 point; a point outside the outline is refused."""
        shape = Point(point.lon, point.lat)
        if not self._outline.covers(shape):
            nearest = nearest_points(self.outline, shape)[0]
            km = haversine_m(point.lon, point.lat, nearest.x, nearest.y) / 1000
            reason = (f"({point.lon:.6f}, {point.lat:.6f}) WGS-84 is outside tenant {self.tenant}, "
                      f"about {km:.1f} km from its boundary")
            raise OutsideTenant(f"{field_name}: {reason}", errors=[{"field": field_name, "reason": reason}])
        district = _first(self._district_tree, self.districts, shape)
        grid = _first(self._grid_tree, self.grids, shape)
        return Placement(district.code if district else None, grid.code if grid else None)


    def locate_many(self, points: Sequence[GeoPoint], field_name: str = "location") -> list[Placement | OutsideTenant]:
        """`locate` for many points at once (a camera batch): one vectorised pass through shapely.

        A point outside the outline gets the error `locate` would raise, in its place.
        """
        shapes = shapely.points([(point.lon, point.lat) for point in points])
        inside = shapely.covers(self.outline, shapes)
        districts = _first_of_each(self._district_tree, self.districts, shapes)
        grids = _first_of_each(self._grid_tree, self.grids, shapes)
        placed: list[Placement | OutsideTenant] = []
        for n, point in enumerate(points):
            if inside[n]:
                placed.append(Placement(districts.get(n), grids.get(n)))
            else:
                try:
                    self.locate(point, field_name)
                except OutsideTenant as error:
                    placed.append(error)
        return placed


def _first_of_each(tree: STRtree, areas: Sequence[Area], shapes: object) -> dict[int, str]:
    # `_first` for an array of points: input index → the smallest code among the areas it meets.
    first: dict[int, str] = {}
    for point_index, area_index in tree.query(shapes, predicate="intersects").T:
        code = areas[int(area_index)].code
        if int(point_index) not in first or code < first[int(point_index)]:
            first[int(point_index)] = code
    return first


def _first(tree: STRtree, areas: Sequence[Area], shape: BaseGeometry) -> Area | None:
    # "intersects" rather than "within": a point on an edge belongs to the areas on both sides.
    hits = [areas[int(i)] for i in tree.query(shape, predicate="intersects")]
    return min(hits, key=lambda area: area.code) if hits else None


@dataclass(frozen=True)
class Areas:
    """Every tenant this intake serves, by division code."""

    tenants: dict[str, TenantMap]

    def locate(self, tenant: str, point: GeoPoint, field_name: str = "location") -> Placement:
        """The placement of `point` in `tenant`; an unknown tenant is refused."""
        found = self.tenants.get(tenant)
        if found is None:
            raise InvalidRequest(
                f"tenant: {tenant} is not served by this intake; served: {', '.join(sorted(self.tenants))}",
                errors=[{"field": "tenant", "reason": f"tenant {tenant} is not served here"}],
            )
        return found.locate(point, field_name)

    def locate_many(self, tenant: str, points: Sequence[GeoPoint]) -> list[Placement | OutsideTenant]:
        """`TenantMap.locate_many` in `tenant`; an unknown tenant is refused."""
        found = self.tenants.get(tenant)
        if found is None:
            self.locate(tenant, points[0])  # raises the unknown tenant's error
        assert found is not None
        return found.locate_many(points)
