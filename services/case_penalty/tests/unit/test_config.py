"""A bad catalogue stops start-up with an error naming the file, the line and the entry."""

from pathlib import Path

import pytest

from oneteam_case_penalty.config import DEMO_DIR, ConfigError, load_calendar, load_catalogue

from .factories import CATALOGUE


def test_every_demo_item_cites_a_law_and_an_article() -> None:
    assert {i.category for i in CATALOGUE.items} == {"street_vending", "e_bike_parking", "shop_encroachment",
                                                     "unlicensed_construction", "food_safety", "fire_hazard"}
    assert all(i.basis.law and i.basis.article for i in CATALOGUE.items)


def test_a_fine_without_a_maximum_is_refused_naming_its_line(tmp_path: Path) -> None:
    text = (DEMO_DIR / "330106004" / "catalogue.yaml").read_text(encoding="utf-8")
    broken = text.replace("fine: {min_yuan: 5, max_yuan: 50}", "fine: {min_yuan: 5}")
    path = tmp_path / "catalogue.yaml"
    path.write_text(broken, encoding="utf-8")
    line = next(n for n, row in enumerate(broken.splitlines(), 1) if "fine: {min_yuan: 5}" in row)
    with pytest.raises(ConfigError, match=rf"catalogue.yaml line {line}: items\[1\]\.fine: .*max_yuan"):
        load_catalogue(path)


def test_an_item_of_an_unknown_department_is_refused(tmp_path: Path) -> None:
    text = (DEMO_DIR / "330106004" / "catalogue.yaml").read_text(encoding="utf-8")
    path = tmp_path / "catalogue.yaml"
    path.write_text(text.replace("department: traffic_police", "department: tax_office"), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"items\[1\] \(ebike_parking_disorder\): department 'tax_office'"):
        load_catalogue(path)


def test_a_tenant_calendar_file_is_optional_and_validated(tmp_path: Path) -> None:
    assert not load_calendar(tmp_path / "calendar.yaml").holidays
    (tmp_path / "calendar.yaml").write_text("workdays: [2027-02-20]\nholidays: [not-a-date]\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"holidays\[0\]"):
        load_calendar(tmp_path / "calendar.yaml")
