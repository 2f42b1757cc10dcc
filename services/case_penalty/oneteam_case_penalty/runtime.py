"""Case-penalty's runtime: the kit's parts plus the clock, tenants' catalogues and calendars,
and the deadline scheduler, started and stopped with the app."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.fernet import Fernet

from oneteam_case_penalty.config import ConfigError, load_calendar, load_catalogue, tenant_dirs
from oneteam_case_penalty.domain.catalogue import Catalogue
from oneteam_case_penalty.settings import CasePenaltySettings
from oneteam_deadlines.calendar import WorkingCalendar
from oneteam_deadlines.scheduler import FireHandler, Scheduler
from oneteam_servicekit import NotFound, Runtime
from oneteam_servicekit.clock import Clock, SystemClock


@dataclass
class Tenant:
    """One tenant's validated configuration."""

    catalogue: Catalogue
    calendar: WorkingCalendar


@dataclass
class CaseRuntime(Runtime):
    """Everything case-penalty's routes, handlers and scheduler need."""

    clock: Clock = field(default_factory=SystemClock)
    on_deadline: FireHandler | None = None

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
        self.scheduler: Scheduler | None = None
        self._tasks: list[asyncio.Task[None]] = []

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

    async def start(self) -> None:
        """The kit's start (migrations, relay, consumers), then the deadline scheduler."""
        await super().start()
        assert self.on_deadline is not None, "main wires the deadline handler"
        self.scheduler = Scheduler(self.transaction, self.clock.now, self.on_deadline,
                                   poll_s=self.case_settings.scheduler_poll_s)
        if self.case_settings.background:
            self._tasks = [asyncio.create_task(self.scheduler.run(), name="case-deadlines")]

    async def stop(self) -> None:
        """Stop the scheduler before the kit closes the pool it uses."""
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        await super().stop()


MIGRATIONS = Path(__file__).parent / "migrations"
