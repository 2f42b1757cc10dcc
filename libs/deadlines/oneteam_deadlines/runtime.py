"""A service runtime that owns a deadline scheduler: started after the kit's parts, stopped before them.

Case-penalty and mediation (and any service whose rules run on legal or agreed time limits)
subclass `DeadlineRuntime` and `DeadlineSettings` instead of each wiring its own loop.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field

from pydantic import Field

from oneteam_deadlines.scheduler import FireHandler, Scheduler
from oneteam_servicekit import Runtime, ServiceSettings
from oneteam_servicekit.clock import Clock, SystemClock


class DeadlineSettings(ServiceSettings):
    """The scheduler's knobs, read with the service's own prefix (e.g. `CASE_PENALTY_BACKGROUND`)."""

    scheduler_poll_s: float = Field(1.0, gt=0, description="How often due deadlines are looked for")
    background: bool = Field(True, description="Run the deadline scheduler in this process")


@dataclass
class DeadlineRuntime(Runtime):
    """The kit's runtime plus a clock and the scheduler that fires this service's deadlines."""

    clock: Clock = field(default_factory=SystemClock)
    on_deadline: FireHandler | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        self.scheduler: Scheduler | None = None
        self._background: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        """The kit's start (migrations, relay, consumers), then the deadline scheduler."""
        await super().start()
        assert self.on_deadline is not None, "main wires the deadline handler"
        assert isinstance(self.settings, DeadlineSettings), "the service's settings extend DeadlineSettings"
        self.scheduler = Scheduler(self.transaction, self.clock.now, self.on_deadline,
                                   poll_s=self.settings.scheduler_poll_s)
        if self.settings.background:
            name = f"{self.settings.service_name}-deadlines"
            self._background = [asyncio.create_task(self.scheduler.run(), name=name)]

    async def stop(self) -> None:
        """Stop the scheduler before the kit closes the pool it uses."""
        for task in self._background:
            task.cancel()
        for task in self._background:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        await super().stop()
