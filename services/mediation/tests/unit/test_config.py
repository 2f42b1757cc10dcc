"""The registry file: the demo tenant's loads; a bad entry stops start-up naming file, line and entry."""

from pathlib import Path

import pytest

from oneteam_mediation.config import DEMO_DIR, ConfigError, load_registry


def test_the_demo_registry_has_mediators_and_the_sunshine_room() -> None:
    registry = load_registry(DEMO_DIR / "330106004" / "registry.yaml")

    room = registry.room("sunshine_room")
    assert room is not None and room.name == "阳光调解室"
    assert {m.kind.value for m in registry.mediators} == {"peoples_mediator", "lawyer", "community_staff"}
    assert registry.skill_for("dispute").value == "neighbour" and "dispute" in registry.no_penalty_categories


def test_an_unknown_skill_is_refused_with_its_line_and_entry(tmp_path: Path) -> None:
    folder = tmp_path / "330106004"
    folder.mkdir()
    (folder / "registry.yaml").write_text(
        'tenant: "330106004"\nmediators:\n  - id: m1\n    name: 王\n    kind: lawyer\n    skills: [gossip]\n',
        encoding="utf-8")

    with pytest.raises(ConfigError, match=r"line 6: mediators\[0\]\.skills\[0\]"):
        load_registry(folder / "registry.yaml")


def test_a_registry_in_another_tenants_folder_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "330106005"
    folder.mkdir()
    (folder / "registry.yaml").write_text((DEMO_DIR / "330106004" / "registry.yaml").read_text(encoding="utf-8"),
                                          encoding="utf-8")

    with pytest.raises(ConfigError, match="differs from its folder"):
        load_registry(folder / "registry.yaml")
