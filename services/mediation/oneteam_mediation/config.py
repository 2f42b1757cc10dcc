"""A tenant's files, validated at start-up: ``<tenant>/registry.yaml`` (mediators, rooms and
the mediation knobs) and optionally ``<tenant>/calendar.yaml`` (working-day overrides).

A bad file stops start-up with an error naming the file, the line and the entry, e.g.
``registry.yaml line 12: mediators[1].skills[0]: Input should be 'neighbour', ...``.
"""

from __future__ import annotations

from pathlib import Path

from oneteam_deadlines import CalendarError, WorkingCalendar
from oneteam_mediation.domain.registry import Registry
from oneteam_servicekit.configfiles import ConfigError, load_model
from oneteam_servicekit.configfiles import tenant_dirs as _tenant_dirs

__all__ = ["ConfigError", "load_calendar", "load_registry", "tenant_dirs"]

DEMO_DIR = Path(__file__).parent / "config"


def load_registry(path: Path) -> Registry:
    """Read and validate one tenant's registry.yaml."""
    registry = load_model(path, Registry)
    if registry.tenant != path.parent.name:
        raise ConfigError(f"{path}: tenant {registry.tenant} differs from its folder {path.parent.name}")
    return registry


def load_calendar(path: Path) -> WorkingCalendar:
    """A tenant's working-day overrides, or the national calendar when the file is absent."""
    try:
        return WorkingCalendar.load_optional(path)
    except CalendarError as error:
        raise ConfigError(str(error)) from None


def tenant_dirs(config_dir: str | None) -> list[Path]:
    """Folders holding a registry.yaml: the configured ones, or the shipped demo tenant's."""
    return _tenant_dirs(config_dir, DEMO_DIR, "registry.yaml")
