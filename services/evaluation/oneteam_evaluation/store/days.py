"""Which local days a write touched, and each settled day's samples.

A KPI sample counts at one moment (`Sample.at`); a day's samples are those whose moment falls on
it, in the tenant's local time. A fact can move samples on several days: an incident's closure
moves its on-time sample from its deadline to its closure, a late order changes the teams of the
incident's samples, an incident reported now makes later incidents of its grid repeats. So a
write marks every day its samples could have been on before (found by their `ref` among the
stored samples) and could be on now (from the incident's report to the last of its moments, its
closure deadline and the repeat window after it), by raising each day's `version`. A day's
stored samples count while its `settled_version` equals its `version`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from typing import Any
from uuid import UUID

from sqlalchemy import func, select, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from oneteam_contracts import Envelope
from oneteam_evaluation.domain.figures import DIMENSIONS, Sample
from oneteam_evaluation.store.tables import cases, day_samples, days, incidents, mediations, orders, ratings

IDS = ("incident_id", "assignment_id", "case_id", "mediation_id")


@dataclass(frozen=True)
class DayMarks:
    """Marks the days a batch of events touched. `after_report`: the longest closure SLA plus the repeat window."""

    zone: tzinfo
    after_report: timedelta

    def day(self, at: datetime) -> date:
        return at.astimezone(self.zone).date()

    async def touch(self, session: AsyncSession, events: Iterable[Envelope[Any]]) -> None:
        """Raise the version of every (tenant, day) the events' facts can have samples on."""
        refs: dict[str, set[UUID]] = {}
        for event in events:
            found = refs.setdefault(event.tenant, set())
            found.update(value for name in IDS if isinstance(value := getattr(event.data, name, None), UUID))
        touched: set[tuple[str, date]] = set()
        for tenant, ids in refs.items():
            touched |= {(tenant, d) for d in await self._days(session, tenant, sorted(ids))}
        if touched:
            statement = insert(days).values([{"tenant": t, "day": d} for t, d in sorted(touched)])
            # In key order, so two writers raising the same days lock them in the same order.
            await session.execute(statement.on_conflict_do_update(
                index_elements=["tenant", "day"], set_={"version": days.c.version + 1}))

    async def touch_all(self, session: AsyncSession) -> None:
        """Mark every day any fact can have samples on, in one statement (after a rebuild's replay)."""
        local = "AT TIME ZONE :zone)::date"
        await session.execute(text(f"""
            INSERT INTO ev_days (tenant, day)
            SELECT DISTINCT tenant, day FROM (
                SELECT tenant, generate_series(
                    (least(reported_at, first_closed_at, queued_at, mediation_at) {local},
                    (greatest(reported_at + :after_report, last_closed_at, queued_at, mediation_at) {local},
                    interval '1 day')::date AS day FROM ev_incidents
                UNION ALL SELECT tenant, (created_at {local} FROM ev_orders WHERE created_at IS NOT NULL
                UNION ALL SELECT tenant, (received_at {local} FROM ev_ratings
                UNION ALL SELECT tenant, (decided_at {local} FROM ev_cases WHERE decided_at IS NOT NULL
                UNION ALL SELECT tenant, (closed_at {local} FROM ev_cases WHERE closed_at IS NOT NULL
                UNION ALL SELECT tenant, (concluded_at {local} FROM ev_mediations WHERE concluded_at IS NOT NULL
            ) touched WHERE day IS NOT NULL
            ON CONFLICT (tenant, day) DO UPDATE SET version = ev_days.version + 1"""),
            {"zone": str(self.zone), "after_report": self.after_report})

    async def _days(self, session: AsyncSession, tenant: str, ids: list[UUID]) -> set[date]:
        found: set[date] = set()
        # Where the samples of these facts were: stored samples by their reference.
        found.update(await session.scalars(select(day_samples.c.day).distinct().where(
            day_samples.c.tenant == tenant, day_samples.c.ref.in_(ids))))
        # Where they can be now: each incident's span, from its report to its last moment.
        incident_ids = select(orders.c.incident_id).where(
            orders.c.tenant == tenant, orders.c.assignment_id.in_(ids)).union(select(mediations.c.incident_id).where(
                mediations.c.tenant == tenant, mediations.c.mediation_id.in_(ids)))
        last_order = select(func.max(orders.c.created_at)).where(
            orders.c.tenant == tenant, orders.c.incident_id == incidents.c.incident_id).scalar_subquery()
        last_rating = select(func.max(ratings.c.received_at)).where(
            ratings.c.tenant == tenant, ratings.c.incident_id == incidents.c.incident_id).scalar_subquery()
        rows = await session.execute(select(
            incidents.c.reported_at, incidents.c.first_closed_at, incidents.c.last_closed_at, incidents.c.queued_at,
            incidents.c.mediation_at, last_order, last_rating,
        ).where(incidents.c.tenant == tenant, incidents.c.incident_id.in_(ids) | incidents.c.incident_id.in_(
            incident_ids)))
        for reported, *moments in rows:
            times = [t for t in moments if t is not None]
            if reported is not None:
                times += [reported, reported + self.after_report]
            if times:
                found.update(self._span(min(times), max(times)))
        # Their own moments, also for facts whose incident has not arrived yet.
        for table, key, columns in ((orders, orders.c.assignment_id, ("created_at",)),
                                    (ratings, ratings.c.incident_id, ("received_at",)),
                                    (cases, cases.c.case_id, ("decided_at", "closed_at")),
                                    (mediations, mediations.c.mediation_id, ("concluded_at",))):
            for row in await session.execute(select(*(table.c[c] for c in columns)).where(
                    table.c.tenant == tenant, key.in_(ids))):
                found.update(self.day(t) for t in row if t is not None)
        return found

    def _span(self, first: datetime, last: datetime) -> list[date]:
        start, end = self.day(first), self.day(last)
        return [start + timedelta(days=n) for n in range((end - start).days + 1)]


async def classify(session: AsyncSession, tenant: str, wanted: Sequence[date],
                   settled_before: date) -> tuple[list[date], list[date]]:
    """Of `wanted` days: those whose stored samples are current, and those to compute from the facts.

    Computed: the days not yet settled, the days touched since they were stored, and the days
    never stored (nothing touched them, or the facts were written unmarked): reading their facts
    costs little when there are none, and it keeps a missed mark from ever hiding a fact.
    """
    query = select(days.c.day).where(days.c.tenant == tenant, days.c.day >= min(wanted), days.c.day <= max(wanted),
                                     days.c.day < settled_before, days.c.version == days.c.settled_version)
    current = set((await session.scalars(query)).all())
    return [d for d in wanted if d in current], [d for d in wanted if d not in current]


async def unsettled(session: AsyncSession, settled_before: date, limit: int) -> list[tuple[str, date]]:
    """Days to settle, oldest first: touched since they were last settled, and old enough."""
    query = select(days.c.tenant, days.c.day).where(
        days.c.settled_version.is_distinct_from(days.c.version), days.c.day < settled_before,
    ).order_by(days.c.day, days.c.tenant).limit(limit)
    return [(t, d) for t, d in (await session.execute(query)).all()]


async def settle(session: AsyncSession, tenant: str, day: date, samples: dict[str, list[Sample]],
                 version: int, now: datetime) -> None:
    """Replace the day's stored samples with `samples` (by KPI), as of the day's `version`."""
    await session.execute(day_samples.delete().where(day_samples.c.tenant == tenant, day_samples.c.day == day))
    rows = [{"tenant": tenant, "day": day, "kpi": kpi, "at": s.at, "ref": s.ref, "hit": s.hit, "seconds": s.seconds,
             "ticking": s.ticking, **{f"d_{name}": list(s.dims[name]) if name in s.dims else None
                                      for name in DIMENSIONS}}
            for kpi, found in samples.items() for s in found]
    if rows:
        await session.execute(insert(day_samples), rows)
    await session.execute(update(days).where(days.c.tenant == tenant, days.c.day == day)
                          .values(settled_version=version, settled_at=now))


async def version(session: AsyncSession, tenant: str, day: date) -> int | None:
    """The day's write version, or None when nothing touched it."""
    found = await session.scalar(select(days.c.version).where(days.c.tenant == tenant, days.c.day == day))
    return None if found is None else int(found)


