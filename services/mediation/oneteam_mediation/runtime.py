"""Mediation's runtime: the kit's parts plus the clock, tenants' registries and calendars, and
the deadline scheduler (time limits and session reminders), started and stopped with the app."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field
from pathlib import Path

from oneteam_deadlines.calendar import WorkingCalendar
from oneteam_deadlines.scheduler import FireHandler, Scheduler
from oneteam_mediation.config import ConfigError, load_calendar, load_registry, tenant_dirs
from oneteam_mediation.domain.registry import Registry
from oneteam_mediation.settings import MediationSettings
from oneteam_servicekit import NotFound, Runtime
from oneteam_servicekit.clock import Clock, SystemClock


@dataclass
class Tenant:
    """One tenant's validated configuration."""

    registry: Registry
    calendar: WorkingCalendar


@dataclass
class MediationRuntime(Runtime):
    """Everything mediation's routes, handlers and scheduler need."""

    clock: Clock = field(default_factory=SystemClock)
    on_deadline: FireHandler | None = None

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
        self.scheduler: Scheduler | None = None
        self._tasks: list[asyncio.Task[None]] = []

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

    async def start(self) -> None:
        """The kit's start (migrations, relay, consumers), then the deadline scheduler."""
        await super().start()
        assert self.on_deadline is not None, "main wires the deadline handler"
        self.scheduler = Scheduler(self.transaction, self.clock.now, self.on_deadline,
                                   poll_s=self.mediation_settings.scheduler_poll_s)
        if self.mediation_settings.background:
            self._tasks = [asyncio.create_task(self.scheduler.run(), name="mediation-deadlines")]

    async def stop(self) -> None:
        """Stop the scheduler before the kit closes the pool it uses."""
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        await super().stop()


MIGRATIONS = Path(__file__).parent / "migrations"
