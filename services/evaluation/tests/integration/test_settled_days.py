"""Settled days' stored samples give the figures a recount from the facts gives, before and after late events.

A query groups the stored samples of settled days in PostgreSQL and computes the other days from
the facts; both must equal the domain's figures over every fact of the window, for every KPI,
period and breakdown: right after the events, once the days are stored, after a late event
touches a stored day (before and after it is stored again), and while a queued incident's wait
runs on.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from oneteam_contracts import AssignmentQueued, FeedbackReceived, Priority, QueueReason, ReportSource, Satisfaction
from oneteam_devstack.testing import Infra, serve
from oneteam_evaluation import settling
from oneteam_evaluation.domain.figures import Period, figures, in_window
from oneteam_evaluation.domain.kpis import KPIS
from oneteam_evaluation.handlers import apply
from oneteam_evaluation.main import build
from oneteam_evaluation.queries import kpi_figures
from oneteam_evaluation.runtime import EvaluationRuntime, day_marks
from oneteam_evaluation.store.reads import load_facts
from oneteam_evaluation.store.tables import day_samples, days

from .conftest import evaluation_settings
from .scenario import envelopes, random_morning
from .test_read_model import second_thoughts

pytestmark = pytest.mark.integration
TENANT = "330106004"
START = datetime(2026, 10, 5, 0, 30, tzinfo=UTC)
WINDOW = (datetime(2026, 10, 4, 16, 0, tzinfo=UTC), datetime(2026, 10, 12, 16, 0, tzinfo=UTC))  # 10-05..10-12 local
CASES = [(Period.DAY, "tenant"), (Period.WEEK, "officer"), (Period.ALL, "grid"), (Period.HOUR, "category")]


@dataclass
class MovingClock:
    at: datetime

    def now(self) -> datetime:
        return self.at


@pytest.fixture
async def runtime(infra: Infra) -> AsyncIterator[EvaluationRuntime]:
    settings = evaluation_settings(infra, database_url=infra.fresh_database("evaluation_settled"), consume=False,
                                   alerts=False, reports=False, settle=False, settle_quiet_s=0)
    app = build(settings, clock=MovingClock(START + timedelta(days=6)))
    async with serve(app):
        yield app.state.runtime


async def write(runtime: EvaluationRuntime, data: list[Any]) -> None:
    async with runtime.sessions.begin() as session:
        await apply(session, envelopes(data, TENANT), day_marks(runtime.evaluation_settings))


async def recount(runtime: EvaluationRuntime, kpi: str, period: Period, dimension: str) -> list[Any]:
    """The figures straight from every fact of the window, as before days were stored."""
    start, end = WINDOW
    async with runtime.sessions() as session:
        facts = await load_facts(session, TENANT, start, end, timedelta(days=runtime.evaluation_settings.repeat_days))
    samples = in_window(KPIS[kpi].compute(facts, runtime.rules(TENANT), runtime.clock.now()), start, end)
    return figures(samples, period, dimension, runtime.zone)


async def assert_figures_equal_a_recount(runtime: EvaluationRuntime) -> None:
    for kpi in KPIS:
        for period, dimension in CASES:
            found = await kpi_figures(runtime, TENANT, kpi, *WINDOW, period, dimension)
            assert found == await recount(runtime, kpi, period, dimension), (kpi, period, dimension)


async def stored_days(runtime: EvaluationRuntime) -> int:
    async with runtime.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(days).where(
            days.c.settled_version == days.c.version)) or 0)


async def test_stored_days_give_the_figures_a_recount_gives(runtime: EvaluationRuntime) -> None:
    rng = random.Random(11)
    drawn: list[Any] = []
    for day in range(5):
        morning = random_morning(rng, START + timedelta(days=day), incidents=6)
        drawn += morning + second_thoughts(rng, morning)
    waiting = uuid.uuid4()  # queued and never ordered: its wait runs on
    drawn.append(AssignmentQueued(incident_id=waiting, category="street_vending", priority=Priority.NORMAL,
                                  reason=QueueReason.NO_OFFICER_IN_REACH, queued_at=START + timedelta(days=1)))
    await write(runtime, drawn)
    await assert_figures_equal_a_recount(runtime)  # nothing stored yet: every day from the facts

    assert await settling.settle_due(runtime) >= 5
    assert await stored_days(runtime) >= 5
    await assert_figures_equal_a_recount(runtime)  # settled days from their stored samples

    # A late rating of an incident of the first day: that day is recomputed until stored again.
    first = next(d for d in drawn if isinstance(d, FeedbackReceived))
    await write(runtime, [FeedbackReceived(
        incident_id=first.incident_id, report_id=uuid.uuid4(), category=first.category,
        source=ReportSource.HOTLINE_12345, rating=Satisfaction.DISSATISFIED,
        received_at=START + timedelta(days=3, hours=2))])
    await assert_figures_equal_a_recount(runtime)
    assert await settling.settle_due(runtime) >= 1
    await assert_figures_equal_a_recount(runtime)

    # Time passes: the queued incident's stored wait is measured to the new now.
    assert isinstance(runtime.clock, MovingClock)
    runtime.clock.at += timedelta(hours=5)
    await assert_figures_equal_a_recount(runtime)
    async with runtime.sessions() as session:
        ticking = await session.scalar(select(func.count()).select_from(day_samples).where(
            day_samples.c.ref == waiting, day_samples.c.ticking))
    assert ticking == 1
