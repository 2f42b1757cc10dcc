"""Configuration files: the shipped demo tenant loads; a bad entry is named."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from oneteam_dispatch.config import DEMO_DIR, ConfigError, load_roster, load_tenant_file
from oneteam_dispatch.domain.responsibility import HandlingMode, Need

SHIPPED = DEMO_DIR / "330106004" / "responsibilities.yaml"


def test_the_demo_tenant_has_eight_districts_and_a_list() -> None:
    config = load_tenant_file(SHIPPED)

    assert config.tenant == "330106004"
    assert len(config.neighbours) == 8
    fire = config.responsibilities.lookup("fire_hazard")
    assert fire is not None and fire.handling is HandlingMode.CASE
    assert fire.needs() == (Need("comprehensive_enforcement"), Need("emergency_management"))


def test_a_category_without_an_entry_is_not_found() -> None:
    assert load_tenant_file(SHIPPED).responsibilities.lookup("alien_landing") is None


def test_the_demo_roster_and_the_legacy_json_roster_both_load() -> None:
    officers = load_roster(DEMO_DIR / "330106004" / "officers.yaml")

    assert {o.district for o in officers if o.district} == {f"D0{i}" for i in range(1, 9)}
    assert {"market_regulation", "emergency_management"} <= {o.department for o in officers}


def _edited(tmp_path: Path, change: object) -> Path:
    data = yaml.safe_load(SHIPPED.read_text(encoding="utf-8"))
    change(data)  # type: ignore[operator]
    path = tmp_path / "responsibilities.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_a_bad_entry_is_named_by_index_category_and_field(tmp_path: Path) -> None:
    path = _edited(tmp_path, lambda d: d["entries"][6].update(handling="shrug"))

    with pytest.raises(ConfigError, match=r"responsibilities.yaml: entries\[6\] \(fire_hazard\)\.handling"):
        load_tenant_file(path)


def test_an_entry_naming_an_unknown_sla_profile_is_refused(tmp_path: Path) -> None:
    path = _edited(tmp_path, lambda d: d["entries"][0].update(sla_profile="whenever"))

    with pytest.raises(ConfigError, match=r"street_vending.*'whenever' is not defined"):
        load_tenant_file(path)


def test_a_roster_entry_with_a_bad_shift_is_named(tmp_path: Path) -> None:
    path = tmp_path / "officers.yaml"
    path.write_text(yaml.safe_dump({"tenant": "330106004", "officers": [
        {"id": "x-1", "name": "X", "shifts": ["morning"]}]}), encoding="utf-8")

    with pytest.raises(ConfigError, match=r"officers\[0\] \(x-1\)\.shifts"):
        load_roster(path)
