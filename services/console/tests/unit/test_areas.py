"""A tenant's GeoJSON is checked at start-up, and a bad file is named with its feature."""

import json
from pathlib import Path

import pytest

from oneteam_console.areas import Areas, AreasError
from oneteam_servicekit import NotFound

SQUARE = {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]}


def test_each_tenants_file_is_served_by_its_code(tmp_path: Path) -> None:
    (tmp_path / "330106004.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"kind": "district", "code": "D01"}, "geometry": SQUARE}]}))
    areas = Areas(tmp_path)
    areas.load()

    assert areas.of("330106004")["features"][0]["properties"]["code"] == "D01"
    with pytest.raises(NotFound):
        areas.of("330106005")


def test_a_feature_without_a_kind_stops_start_up_naming_it(tmp_path: Path) -> None:
    (tmp_path / "t.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"code": "G9"}, "geometry": SQUARE}]}))

    with pytest.raises(AreasError, match=r"t.geojson: features\[0\] \(G9\).properties.kind"):
        Areas(tmp_path).load()
