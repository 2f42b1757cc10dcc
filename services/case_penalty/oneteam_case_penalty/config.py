"""A tenant's files, validated at start-up: ``<tenant>/catalogue.yaml`` (the penalty catalogue)
and optionally ``<tenant>/calendar.yaml`` (working-day overrides: holidays, 调休 workdays).

A bad file stops start-up with an error naming the file, the line and the entry, e.g.
``catalogue.yaml line 42: items[3].fine: give max_yuan, or percent_of with max_percent``.
"""

from __future__ import annotations

from pathlib import Path

from oneteam_case_penalty.domain.catalogue import Catalogue
from oneteam_deadlines import CalendarError, WorkingCalendar
from oneteam_servicekit.configfiles import ConfigError, load_model
from oneteam_servicekit.configfiles import tenant_dirs as _tenant_dirs

__all__ = ["ConfigError", "load_calendar", "load_catalogue", "tenant_dirs"]

DEMO_DIR = Path(__file__).parent / "config"


def load_catalogue(path: Path) -> Catalogue:
    """Read and validate one tenant's catalogue.yaml."""
    catalogue = load_model(path, Catalogue)
    return catalogue


def load_calendar(path: Path) -> WorkingCalendar:
    """A tenant's working-day overrides, or the national calendar when the file is absent."""
    try:
        return WorkingCalendar.load_optional(path)
    except CalendarError as error:
        raise ConfigError(str(error)) from None


def tenant_dirs(config_dir: str | None) -> list[Path]:
    """Folders holding a catalogue.yaml: the configured ones, or the shipped demo tenant's."""
    return _tenant_dirs(config_dir, DEMO_DIR, "catalogue.yaml")
