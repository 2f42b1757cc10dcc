import pytest
from pydantic import TypeAdapter, ValidationError

from oneteam_contracts import (
    CoordinateSystem,
    GeoPoint,
    Priority,
    TenantCode,
    haversine_m,
    wgs84_to_gcj02,
)


def test_gcj02_point_is_stored_as_wgs84() -> None:
    wgs_lon, wgs_lat = 120.1205, 30.2901
    gcj_lon, gcj_lat = wgs84_to_gcj02(wgs_lon, wgs_lat)

    point = GeoPoint(lon=gcj_lon, lat=gcj_lat, crs=CoordinateSystem.GCJ02)

    assert point.crs is CoordinateSystem.WGS84
    assert haversine_m(point.lon, point.lat, wgs_lon, wgs_lat) < 0.1


def test_wgs84_point_is_kept_as_given() -> None:
    point = GeoPoint(lon=120.1205, lat=30.2901)

    assert (point.lon, point.lat, point.crs) == (120.1205, 30.2901, CoordinateSystem.WGS84)


def test_a_stored_point_reads_back_unchanged_from_json() -> None:
    point = GeoPoint(lon=120.1205, lat=30.2901, crs="gcj02")

    assert GeoPoint.model_validate_json(point.model_dump_json()) == point


@pytest.mark.parametrize(
    "lon, lat, message",
    [
        (120.0, 91.0, "lat must be a number between -90 and 90"),
        (120.0, float("nan"), "lat must be a number between -90 and 90"),
        (181.0, 30.0, "lon must be a number between -180 and 180"),
    ],
)
def test_out_of_range_coordinate_is_rejected_naming_the_field(lon: float, lat: float, message: str) -> None:
    with pytest.raises(ValidationError) as error:
        GeoPoint(lon=lon, lat=lat)

    assert message in str(error.value)


@pytest.mark.parametrize("code", ["330106", "330106004", "330106004001"])
def test_tenant_code_accepts_6_9_or_12_digits(code: str) -> None:
    assert TypeAdapter(TenantCode).validate_python(code) == code


@pytest.mark.parametrize("code", ["33010600", "3301060041", "33010a004", "٣٣٠١٠٦", ""])
def test_tenant_code_rejects_anything_but_a_division_code(code: str) -> None:
    with pytest.raises(ValidationError, match="administrative division code"):
        TypeAdapter(TenantCode).validate_python(code)


def test_priority_raised_steps_up_by_one() -> None:
    assert [p.raised() for p in Priority] == [
        Priority.NORMAL,
        Priority.HIGH,
        Priority.URGENT,
        Priority.URGENT,
    ]


def test_geo_point_cannot_be_changed_after_creation() -> None:
    point = GeoPoint(lon=120.1205, lat=30.2901)

    with pytest.raises(ValidationError):
        point.lat = 0.0  # type: ignore[misc]
