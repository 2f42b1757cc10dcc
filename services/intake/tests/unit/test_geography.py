"""Placing points in the demo tenant: inside, outside, on a boundary, from GCJ-02."""

import random

import pytest

from oneteam_contracts import GeoPoint, wgs84_to_gcj02
from oneteam_intake.config import PACKAGED, load_areas
from oneteam_intake.domain.geography import Areas, OutsideTenant
from oneteam_servicekit.errors import InvalidRequest

TENANT = "330106004"


@pytest.fixture(scope="module")
def areas() -> Areas:
    return load_areas(PACKAGED / "tenants")


def test_demo_tenant_has_8_districts_of_4_grids(areas: Areas) -> None:
    cuiyuan = areas.tenants[TENANT]

    assert len(cuiyuan.districts) == 8 and len(cuiyuan.grids) == 32
    assert {grid.district for grid in cuiyuan.grids} == {district.code for district in cuiyuan.districts}


def test_point_inside_gets_its_district_and_grid(areas: Areas) -> None:
    placement = areas.locate(TENANT, GeoPoint(lon=120.108, lat=30.278))  # the south-west corner cell

    assert placement.district == "D01" and placement.grid == "D01-G1"


def test_point_outside_is_refused_with_the_distance(areas: Areas) -> None:
    with pytest.raises(OutsideTenant) as refused:
        areas.locate(TENANT, GeoPoint(lon=120.155, lat=30.29))

    assert "outside tenant 330106004" in refused.value.detail and "1.0 km" in refused.value.detail
    assert refused.value.extensions["errors"][0]["field"] == "location"


def test_point_on_the_outer_boundary_is_inside(areas: Areas) -> None:
    placement = areas.locate(TENANT, GeoPoint(lon=120.145, lat=30.3))  # on the straight east edge

    assert placement.district == "D08"


def test_point_on_a_shared_edge_goes_to_the_smaller_code(areas: Areas) -> None:
    # x = 120.125 on the south edge is the corner shared by D02 and D03 (and their grids).
    placement = areas.locate(TENANT, GeoPoint(lon=120.125, lat=30.275))

    assert (placement.district, placement.grid) == ("D02", "D02-G2")


def test_a_hair_outside_the_boundary_is_outside(areas: Areas) -> None:
    with pytest.raises(OutsideTenant):
        areas.locate(TENANT, GeoPoint(lon=120.145001, lat=30.3))


def test_gcj02_point_is_placed_where_it_really_is(areas: Areas) -> None:
    # A GCJ-02 reading of a point just inside the west edge would be ~500 m off if not converted.
    inside = GeoPoint(lon=120.1052, lat=30.29)
    gcj_lon, gcj_lat = wgs84_to_gcj02(inside.lon, inside.lat)

    placement = areas.locate(TENANT, GeoPoint(lon=gcj_lon, lat=gcj_lat, crs="gcj02"))

    assert placement.district == areas.locate(TENANT, inside).district


def test_unknown_tenant_is_refused_naming_the_field(areas: Areas) -> None:
    with pytest.raises(InvalidRequest) as refused:
        areas.locate("330106999", GeoPoint(lon=120.12, lat=30.29))

    assert refused.value.extensions["errors"][0]["field"] == "tenant"


def test_many_points_at_once_are_placed_as_one_by_one(areas: Areas) -> None:
    tenant = areas.tenants["330106004"]
    min_lon, min_lat, max_lon, max_lat = tenant.outline.bounds
    rng = random.Random(3)
    # Inside, outside, and on district and grid edges (the grid's own vertices).
    points = [GeoPoint(lon=rng.uniform(min_lon - 0.01, max_lon + 0.01), lat=rng.uniform(min_lat - 0.01, max_lat + 0.01))
              for _ in range(400)]
    points += [GeoPoint(lon=x, lat=y) for area in tenant.grids[:6] for x, y in list(area.shape.exterior.coords)[:3]]

    many = tenant.locate_many(points)

    for point, placed in zip(points, many, strict=True):
        try:
            expected: object = tenant.locate(point)
        except OutsideTenant as error:
            assert isinstance(placed, OutsideTenant) and placed.detail == error.detail
            continue
        assert placed == expected
    assert any(isinstance(p, OutsideTenant) for p in many) and sum(not isinstance(p, OutsideTenant) for p in many) > 100
