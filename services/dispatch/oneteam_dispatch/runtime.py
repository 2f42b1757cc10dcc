"""Dispatch's runtime: the service kit's parts plus the clock, tenants' configuration, the
push hub, the position batcher, the matcher and the deadline scheduler, started and stopped
with the app."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from oneteam_dispatch.config import demo_tenant_files
from oneteam_dispatch.domain.positions import Pace
from oneteam_dispatch.positions import PositionBatcher
from oneteam_dispatch.push import Hub
from oneteam_dispatch.settings import DispatchSettings
from oneteam_dispatch.store.officers import RosterRows
from oneteam_dispatch.tenants import Tenants
from oneteam_servicekit import Runtime
from oneteam_servicekit.clock import Clock, SystemClock

if TYPE_CHECKING:
    from oneteam_dispatch.matcher import Matcher
    from oneteam_dispatch.scheduler import Scheduler


@dataclass
class DispatchRuntime(Runtime):
    """Everything dispatch's routes, handlers and loops need."""

    clock: Clock = field(default_factory=SystemClock)

    def __post_init__(self) -> None:
        super().__post_init__()
        settings = self.dispatch_settings
        files = (sorted(Path(settings.config_dir).glob("*/responsibilities.yaml")) if settings.config_dir
                 else demo_tenant_files())
        self.tenants = Tenants(files, timedelta(seconds=settings.stale_after_s))
        self.hub = Hub(settings.database_url)
        self.positions = PositionBatcher(self.transaction, self.clock, settings.position_flush_ms / 1000,
                                         Pace(settings.position_publish_s, settings.position_publish_moved_m))
        self.roster_rows = RosterRows()  # officers as matching last read them (store.officers)
        self._tasks: list[asyncio.Task[None]] = []
        self.matcher: Matcher | None = None
        self.scheduler: Scheduler | None = None

    @property
    def dispatch_settings(self) -> DispatchSettings:
        """The settings, typed as dispatch's."""
        assert isinstance(self.settings, DispatchSettings)
        return self.settings

    async def start(self) -> None:
        """The kit's start (migrations, relay, consumers, on_start hooks), then push and the loops."""
        from oneteam_dispatch.matcher import Matcher
        from oneteam_dispatch.scheduler import Scheduler

        await super().start()
        async with self.transaction() as session:
            await self.tenants.seed(session, self.clock.now())
        await self.hub.start()
        self.matcher = Matcher(self)
        self.scheduler = Scheduler(self)
        self.hub.on_pending(self.matcher.wake)
        if self.dispatch_settings.background:
            self._tasks = [asyncio.create_task(self.matcher.run(), name="dispatch-matcher"),
                           asyncio.create_task(self.scheduler.run(), name="dispatch-deadlines")]

    async def stop(self) -> None:
        """Answer the position posts in hand, stop the loops and the hub, then the kit closes the pool."""
        await self.positions.close()
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        await self.hub.stop()
        await super().stop()
