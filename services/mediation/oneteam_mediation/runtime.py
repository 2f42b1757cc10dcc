"""Mediation's runtime: the kit's parts plus the clock, tenants' registries and calendars, and
the deadline scheduler (time limits and session reminders), started and stopped with the app."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from oneteam_deadlines.calendar import WorkingCalendar
from oneteam_deadlines.runtime import DeadlineRuntime
from oneteam_mediation.config import ConfigError, load_calendar, load_registry, tenant_dirs
from oneteam_mediation.domain.registry import Registry
from oneteam_mediation.settings import MediationSettings
from oneteam_servicekit import NotFound


@dataclass
class Tenant:
    """One tenant's validated configuration."""

    registry: Registry
    calendar: WorkingCalendar


@dataclass
class MediationRuntime(DeadlineRuntime):
    """Everything mediation's routes, handlers and scheduler need."""

    def __post_init__(self) -> None:
        super().__post_init__()
        settings = self.mediation_settings
        self.tenants: dict[str, Tenant] = {}
        for folder in tenant_dirs(settings.config_dir):
            self.tenants[folder.name] = Tenant(load_registry(folder / "registry.yaml"),
                                               load_calendar(folder / "calendar.yaml"))
        if not self.tenants:
            raise ConfigError(f"no <tenant>/registry.yaml under {settings.config_dir}")
        self.party_key = settings.party_key.encode()

    @property
    def mediation_settings(self) -> MediationSettings:
        """The settings, typed as mediation's."""
        assert isinstance(self.settings, MediationSettings)
        return self.settings

    def tenant(self, code: str) -> Tenant:
        """A configured tenant, or 404."""
        found = self.tenants.get(code)
        if found is None:
            raise NotFound(f"tenant {code} has no mediation registry here")
        return found


MIGRATIONS = Path(__file__).parent / "migrations"
