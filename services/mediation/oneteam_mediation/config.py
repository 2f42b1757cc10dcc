"""A tenant's files, validated at start-up: ``<tenant>/registry.yaml`` (mediators, rooms and
the mediation knobs) and optionally ``<tenant>/calendar.yaml`` (working-day overrides).

A bad file stops start-up with an error naming the file, the line and the entry, e.g.
``registry.yaml line 12: mediators[1].skills[0]: Input should be 'neighbour', ...``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from oneteam_deadlines import CalendarError, WorkingCalendar
from oneteam_mediation.domain.registry import Registry

DEMO_DIR = Path(__file__).parent / "config"


class ConfigError(ValueError):
    """A configuration file that does not fit its schema; the message names file, line and entry."""


def load_registry(path: Path) -> Registry:
    """Read and validate one tenant's registry."""
    text = path.read_text(encoding="utf-8")
    try:
        data = yaml.safe_load(text)
        root = yaml.compose(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = f" line {mark.line + 1}" if mark is not None else ""
        raise ConfigError(f"{path}{line}: not valid YAML: {error}") from None
    try:
        registry = Registry.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        loc = tuple(first["loc"])
        where = ".".join(f"[{p}]" if isinstance(p, int) else str(p) for p in loc).replace(".[", "[")
        raise ConfigError(f"{path} line {_line(root, loc)}: {where or 'file'}: {first['msg']}") from None
    if registry.tenant != path.parent.name:
        raise ConfigError(f"{path}: tenant {registry.tenant} differs from its folder {path.parent.name}")
    return registry


def load_calendar(path: Path) -> WorkingCalendar:
    """A tenant's working-day overrides, or the national calendar when the file is absent."""
    if not path.exists():
        return WorkingCalendar()
    try:
        return WorkingCalendar.load(path)
    except CalendarError as error:
        raise ConfigError(str(error)) from None


def tenant_dirs(config_dir: str | None) -> list[Path]:
    """Folders holding a registry: the configured ones, or the shipped demo tenant's."""
    base = Path(config_dir) if config_dir else DEMO_DIR
    return sorted(p.parent for p in base.glob("*/registry.yaml"))


def _line(node: Any, loc: tuple[Any, ...]) -> int:
    # Walk the YAML node tree along the error's location; the deepest node found gives the line.
    line = node.start_mark.line + 1 if node is not None else 1
    for part in loc:
        child = None
        if isinstance(node, yaml.MappingNode):
            child = next((v for k, v in node.value if k.value == str(part)), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            child = node.value[part]
        if child is None:
            break
        node, line = child, child.start_mark.line + 1
    return line
