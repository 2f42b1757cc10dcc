"""Case-penalty's runtime: the kit's parts plus the clock, tenants' catalogues and calendars,
and the deadline scheduler, started and stopped with the app."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from cryptography.fernet import Fernet

from oneteam_case_penalty.config import ConfigError, load_calendar, load_catalogue, tenant_dirs
from oneteam_case_penalty.domain.catalogue import Catalogue
from oneteam_case_penalty.settings import CasePenaltySettings
from oneteam_deadlines.calendar import WorkingCalendar
from oneteam_deadlines.runtime import DeadlineRuntime
from oneteam_servicekit import NotFound


@dataclass
class Tenant:
    """One tenant's validated configuration."""

    catalogue: Catalogue
    calendar: WorkingCalendar


@dataclass
class CaseRuntime(DeadlineRuntime):
    """Everything case-penalty's routes, handlers and scheduler need."""

    def __post_init__(self) -> None:
        super().__post_init__()
        settings = self.case_settings
        self.tenants: dict[str, Tenant] = {}
        for folder in tenant_dirs(settings.config_dir):
            catalogue = load_catalogue(folder / "catalogue.yaml")
            if catalogue.tenant != folder.name:
                raise ConfigError(f"{folder}/catalogue.yaml: tenant {catalogue.tenant} differs from its folder")
            self.tenants[catalogue.tenant] = Tenant(catalogue, load_calendar(folder / "calendar.yaml"))
        if not self.tenants:
            raise ConfigError(f"no <tenant>/catalogue.yaml under {settings.config_dir}")
        self.party_key = settings.party_key.encode()
        self.fernet = Fernet(settings.party_encryption_key.encode()) if settings.party_encryption_key else None

    @property
    def case_settings(self) -> CasePenaltySettings:
        """The settings, typed as case-penalty's."""
        assert isinstance(self.settings, CasePenaltySettings)
        return self.settings

    def tenant(self, code: str) -> Tenant:
        """A configured tenant, or 404."""
        found = self.tenants.get(code)
        if found is None:
            raise NotFound(f"tenant {code} has no penalty catalogue here")
        return found


MIGRATIONS = Path(__file__).parent / "migrations"
