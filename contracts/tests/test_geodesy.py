import pytest

from oneteam_contracts import gcj02_to_wgs84, haversine_m, wgs84_to_gcj02

# West Lake area, Hangzhou (WGS-84), near Cuiyuan subdistrict.
HANGZHOU = (120.1205, 30.2901)


@pytest.mark.parametrize(
    "lon, lat",
    [HANGZHOU, (116.3975, 39.9087), (121.4737, 31.2304), (113.2644, 23.1291), (87.6168, 43.8256)],
)
def test_wgs84_to_gcj02_and_back_returns_the_original_point(lon: float, lat: float) -> None:
    back_lon, back_lat = gcj02_to_wgs84(*wgs84_to_gcj02(lon, lat))

    assert abs(back_lon - lon) < 1e-5
    assert abs(back_lat - lat) < 1e-5


def test_inverse_conversion_is_accurate_to_a_millionth_of_a_degree() -> None:
    gcj = wgs84_to_gcj02(*HANGZHOU)

    wgs = gcj02_to_wgs84(*gcj)

    assert abs(wgs[0] - HANGZHOU[0]) < 1e-6
    assert abs(wgs[1] - HANGZHOU[1]) < 1e-6


def test_gcj02_shifts_a_hangzhou_point_by_a_few_hundred_metres() -> None:
    gcj_lon, gcj_lat = wgs84_to_gcj02(*HANGZHOU)

    shift = haversine_m(*HANGZHOU, gcj_lon, gcj_lat)

    assert 200 < shift < 800
    assert gcj_lon > HANGZHOU[0]  # the GCJ-02 offset in Hangzhou runs east and south
    assert gcj_lat < HANGZHOU[1]


@pytest.mark.parametrize("lon, lat", [(2.3522, 48.8566), (-74.006, 40.7128), (151.2093, -33.8688)])
def test_points_outside_china_are_not_shifted(lon: float, lat: float) -> None:
    assert wgs84_to_gcj02(lon, lat) == (lon, lat)
    assert gcj02_to_wgs84(lon, lat) == (lon, lat)


def test_haversine_measures_one_degree_of_latitude_as_about_111_km() -> None:
    assert haversine_m(120.0, 30.0, 120.0, 31.0) == pytest.approx(111_195, rel=1e-3)


def test_haversine_of_a_point_to_itself_is_zero() -> None:
    assert haversine_m(*HANGZHOU, *HANGZHOU) == 0
