"""Evaluation's runtime: the kit's parts, the clock and the tenants' rules; the read model's generation."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from oneteam_evaluation.domain.rules import Rules
from oneteam_evaluation.handlers import subscriptions
from oneteam_evaluation.settings import EvaluationSettings
from oneteam_evaluation.store.days import DayMarks
from oneteam_evaluation.store.tables import state
from oneteam_servicekit import Runtime, migrations
from oneteam_servicekit.clock import Clock, SystemClock

MIGRATIONS = Path(__file__).parent / "migrations"


@dataclass
class EvaluationRuntime(Runtime):
    """Everything evaluation's routes and consumer need."""

    clock: Clock = field(default_factory=SystemClock)
    # Loops main wires in (the targets' watch), run from start to stop.
    background: list[Callable[[], Coroutine[Any, Any, None]]] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__post_init__()
        self.zone = ZoneInfo(self.evaluation_settings.timezone)
        self.generation = 0
        self._tasks: list[asyncio.Task[None]] = []

    @property
    def evaluation_settings(self) -> EvaluationSettings:
        """The settings, typed as evaluation's."""
        assert isinstance(self.settings, EvaluationSettings)
        return self.settings

    def rules(self, tenant: str) -> Rules:
        """The figures' knobs for `tenant` (the same for every tenant of this deployment, for now)."""
        s = self.evaluation_settings
        return Rules(tenant=tenant, closure_sla_hours=s.closure_sla_hours,
                     closure_sla_by_category=dict(s.closure_sla_by_category), repeat_days=s.repeat_days,
                     rapid_minutes=s.rapid_minutes, rapid_categories=frozenset(s.rapid_categories),
                     targets=dict(s.targets))

    async def start(self) -> None:
        """Migrate, learn the read model's generation (its consumer group), then the kit's start."""
        if self.settings.run_migrations:
            await migrations.upgrade(self.migrations_dir, self.settings.database_url)
        async with self.sessions() as session:
            self.generation = await generation(session)
        if self.evaluation_settings.consume:  # the generation's group, in batches
            self.subscriptions = subscriptions(self.generation, day_marks(self.evaluation_settings))
        await super().start()
        self._tasks = [asyncio.create_task(loop(), name="evaluation-background") for loop in self.background]

    async def stop(self) -> None:
        """Stop the loops before the kit closes the pool they use."""
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        await super().stop()


def day_marks(settings: EvaluationSettings) -> DayMarks:
    """What marks the days a write touched: an incident's samples reach its longest SLA and the repeat window on."""
    longest = max([settings.closure_sla_hours, *settings.closure_sla_by_category.values()])
    return DayMarks(ZoneInfo(settings.timezone), timedelta(hours=longest, days=settings.repeat_days))


async def generation(session: AsyncSession) -> int:
    """The read model's current generation (0 before any rebuild)."""
    found = await session.scalar(select(state.c.generation).where(state.c.name == "read_model"))
    return int(found or 0)
