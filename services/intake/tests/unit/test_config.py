"""Configuration files: the shipped ones load; a bad entry stops start-up naming itself."""

import importlib.util
import json
from pathlib import Path

import pytest

from oneteam_intake.config import PACKAGED, ConfigError, load_areas, load_catalog, load_tenant

GOOD_CATEGORY = """
  - code: street_vending
    name_zh: 流动摊贩
    name_en: Street vending
    priority: normal
    dedup_radius_m: 80
    dedup_window_min: 120
    auto_dispatch: true
"""


def catalog_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "catalog.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_catalog_loads_with_camera_labels_and_platform_codes() -> None:
    catalog = load_catalog(PACKAGED / "catalog.yaml")

    assert {"street_vending", "e_bike_parking", "dumped_waste", "fire_hazard"} <= set(catalog.categories)
    assert catalog.for_camera("street_vendor") is not None
    assert catalog.for_source_code("hotline-12345", "0103") == catalog.get("dumped_waste")


@pytest.mark.parametrize(("entry_change", "named"), [
    (("priority: normal", "priority: whenever"), "categories[1] (noise).priority"),
    (("dedup_radius_m: 80", "dedup_radius_m: -5"), "categories[1] (noise).dedup_radius_m"),
    (("auto_dispatch: true", "auto_dispatch: true\n    colour: red"), "categories[1] (noise).colour"),
])
def test_a_bad_category_is_named_by_index_and_code(tmp_path: Path, entry_change: tuple[str, str], named: str) -> None:
    second = GOOD_CATEGORY.replace("street_vending", "noise").replace(*entry_change)
    path = catalog_file(tmp_path, "categories:" + GOOD_CATEGORY + second)

    with pytest.raises(ConfigError) as failed:
        load_catalog(path)

    assert named in str(failed.value) and str(path) in str(failed.value)


def test_duplicate_codes_and_labels_are_refused(tmp_path: Path) -> None:
    twice = catalog_file(tmp_path, "categories:" + GOOD_CATEGORY + GOOD_CATEGORY)
    with pytest.raises(ConfigError, match=r"categories\[1\] \(street_vending\): code is used twice"):
        load_catalog(twice)

    label = "    camera_labels:\n      - {label: vendor, ignore_below: 0.5, review_below: 0.7, suppress_min: 5}\n"
    other = GOOD_CATEGORY.replace("street_vending", "noise")
    shared = catalog_file(tmp_path, "categories:" + GOOD_CATEGORY + label + other + label)
    with pytest.raises(ConfigError, match="camera label 'vendor' is already mapped to street_vending"):
        load_catalog(shared)


def test_thresholds_out_of_order_are_refused(tmp_path: Path) -> None:
    label = "    camera_labels:\n      - {label: vendor, ignore_below: 0.8, review_below: 0.5, suppress_min: 5}\n"
    with pytest.raises(ConfigError, match="review_below must be at least ignore_below"):
        load_catalog(catalog_file(tmp_path, "categories:" + GOOD_CATEGORY + label))


def test_unparseable_or_missing_files_are_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot be parsed"):
        load_catalog(catalog_file(tmp_path, "categories: [unclosed"))
    with pytest.raises(ConfigError, match="file not found"):
        load_catalog(tmp_path / "nope.yaml")


def square(x: float, y: float, size: float) -> list[list[list[float]]]:
    return [[[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]]]


def feature(kind: str, code: str, coordinates: object, **extra: str) -> dict[str, object]:
    return {"type": "Feature", "properties": {"kind": kind, "code": code, **extra},
            "geometry": {"type": "Polygon", "coordinates": coordinates}}


def tenant_file(tmp_path: Path, *features: dict[str, object], name: str = "330106004") -> Path:
    path = tmp_path / f"{name}.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": list(features)}))
    return path


def test_grid_outside_its_district_is_named(tmp_path: Path) -> None:
    path = tenant_file(tmp_path, feature("district", "D01", square(0, 0, 1)),
                       feature("grid", "D01-G9", square(2, 2, 1), district="D01"))

    with pytest.raises(ConfigError, match="grid D01-G9 is not inside its district D01"):
        load_tenant(path)


def test_self_intersecting_polygon_is_named_with_its_feature(tmp_path: Path) -> None:
    bowtie = [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]
    path = tenant_file(tmp_path, feature("district", "D01", square(0, 0, 1)), feature("district", "D02", bowtie))

    with pytest.raises(ConfigError, match=r"features\[1\] \(district D02\): needs a valid Polygon.*Self-intersection"):
        load_tenant(path)


def test_grid_naming_an_unknown_district_and_bad_file_names_are_refused(tmp_path: Path) -> None:
    orphan = tenant_file(tmp_path, feature("district", "D01", square(0, 0, 1)),
                         feature("grid", "G1", square(0, 0, 0.5), district="D99"))
    with pytest.raises(ConfigError, match="grid G1 names unknown district D99"):
        load_tenant(orphan)
    with pytest.raises(ConfigError, match="file name must be the tenant's division code"):
        load_tenant(tenant_file(tmp_path, feature("district", "D01", square(0, 0, 1)), name="cuiyuan"))


def test_without_a_tenant_feature_the_outline_is_the_union_of_districts(tmp_path: Path) -> None:
    path = tenant_file(tmp_path, feature("district", "D01", square(0, 0, 1)),
                       feature("district", "D02", square(1, 0, 1)))

    assert load_tenant(path).outline.area == pytest.approx(2)


def test_shipped_demo_tenant_is_what_the_generator_writes(tmp_path: Path) -> None:
    script = Path(__file__).resolve().parents[2] / "scripts" / "make_demo_tenant.py"
    spec = importlib.util.spec_from_file_location("make_demo_tenant", script)
    assert spec is not None and spec.loader is not None
    generator = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generator)
    generator.OUT = tmp_path / "330106004.geojson"

    generator.main()

    assert generator.OUT.read_text() == (PACKAGED / "tenants" / "330106004.geojson").read_text()
    assert set(load_areas(tmp_path).tenants) == {"330106004"}
