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
from oneteam_evaluation.store.tables import day_samples, days

IDS = ("incident_id", "assignment_id", "case_id", "mediation_id")  # every event names its incident, if it has one

_IDS_OF: dict[str, tuple[str, ...]] = {}


def _ids_of(event: Envelope[Any]) -> tuple[str, ...]:
    """Which of IDS the event's message has (asking a pydantic model for a field it lacks raises inside, slowly)."""
    found = _IDS_OF.get(event.type)
    if found is None:
        fields = type(event.data).model_fields
        found = _IDS_OF[event.type] = tuple(name for name in IDS if name in fields)
    return found


# Built once: a statement of a new shape per batch cost as much to compile as to run.
_BUMP = insert(days).on_conflict_do_update(index_elements=["tenant", "day"],
                                           set_={"version": days.c.version + 1, "touched_at": func.now()})

_BY_INDEX = text("SELECT set_config('plan_cache_mode', 'force_custom_plan', true), "
                 "set_config('enable_seqscan', 'off', true)")
_AS_BEFORE = text("SELECT set_config('plan_cache_mode', 'auto', true), set_config('enable_seqscan', 'on', true)")

# An incident's samples fall between its report and the last of its own moments (its closure
# deadline and the repeat window included). Its orders' and ratings' own moments are found by
# their own parts below: every event about an order or a rating names them or the incident.
_FIRST = "least(reported_at, first_closed_at, queued_at, mediation_at)"
_LAST = "greatest(reported_at + :after_report, first_closed_at, last_closed_at, queued_at, mediation_at)"

# No correlated subqueries: asked per incident row, they made this statement 90 ms a batch in
# a catch-up (the plan scanned the tenant's rows), against 7 ms as joins.
_WHERE_SAMPLES_CAN_BE = text(f"""
    WITH wanted AS (SELECT DISTINCT id FROM unnest(CAST(:ids AS uuid[])) AS ids(id))
    SELECT DISTINCT s.day, NULL::timestamptz, NULL::timestamptz
        FROM wanted JOIN ev_day_samples s ON s.ref = wanted.id WHERE s.tenant = :tenant
    UNION ALL SELECT NULL, {_FIRST}, {_LAST}
        FROM wanted JOIN ev_incidents i ON i.tenant = :tenant AND i.incident_id = wanted.id
    UNION ALL SELECT NULL, created_at, created_at
        FROM wanted JOIN ev_orders o ON o.tenant = :tenant AND o.assignment_id = wanted.id
    UNION ALL SELECT NULL, received_at, received_at
        FROM wanted JOIN ev_ratings r ON r.tenant = :tenant AND r.incident_id = wanted.id
    UNION ALL SELECT NULL, t, t FROM wanted JOIN ev_cases c ON c.tenant = :tenant AND c.case_id = wanted.id,
        LATERAL (VALUES (c.decided_at), (c.closed_at)) AS moments(t)
    UNION ALL SELECT NULL, concluded_at, concluded_at
        FROM wanted JOIN ev_mediations m ON m.tenant = :tenant AND m.mediation_id = wanted.id""")


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
            found.update(value for name in _ids_of(event)
                         if (value := getattr(event.data, name)) is not None)
        touched: set[tuple[str, date]] = set()
        for tenant, ids in refs.items():
            touched |= {(tenant, d) for d in await self._days(session, tenant, sorted(ids))}
        if touched:
            # In key order, so two writers raising the same days lock them in the same order.
            await session.execute(_BUMP, [{"tenant": t, "day": d} for t, d in sorted(touched)])

    async def touch_all(self, session: AsyncSession) -> None:
        """Mark every day any fact can have samples on, in one statement (after a rebuild's replay)."""
        local = "AT TIME ZONE :zone)::date"
        await session.execute(text(f"""
            INSERT INTO ev_days (tenant, day)
            SELECT DISTINCT tenant, day FROM (
                SELECT tenant, generate_series(
                    ({_FIRST} {local}, ({_LAST} {local},
                    interval '1 day')::date AS day FROM ev_incidents
                UNION ALL SELECT tenant, (created_at {local} FROM ev_orders WHERE created_at IS NOT NULL
                UNION ALL SELECT tenant, (received_at {local} FROM ev_ratings
                UNION ALL SELECT tenant, (decided_at {local} FROM ev_cases WHERE decided_at IS NOT NULL
                UNION ALL SELECT tenant, (closed_at {local} FROM ev_cases WHERE closed_at IS NOT NULL
                UNION ALL SELECT tenant, (concluded_at {local} FROM ev_mediations WHERE concluded_at IS NOT NULL
            ) touched WHERE day IS NOT NULL
            ON CONFLICT (tenant, day) DO UPDATE SET version = ev_days.version + 1, touched_at = now()"""),
            {"zone": str(self.zone), "after_report": self.after_report})

    async def _days(self, session: AsyncSession, tenant: str, ids: list[UUID]) -> set[date]:
        found: set[date] = set()
        # One round trip: where the facts' samples were (stored samples by reference), each
        # incident's span from its report to its last moment, and the own moments of orders,
        # ratings, cases and mediations (also of facts whose incident has not arrived yet).
        # Planned afresh, by index: a catch-up fills the tables faster than they are analysed, and
        # the plan the prepared statement kept from when they were small scanned them all for
        # every batch (59 ms a batch at 20 000 incidents, against 2 ms as planned now).
        await session.execute(_BY_INDEX)
        rows = (await session.execute(_WHERE_SAMPLES_CAN_BE, {"tenant": tenant, "ids": ids,
                                                               "after_report": self.after_report})).all()
        await session.execute(_AS_BEFORE)
        for stored, first, last in rows:
            if stored is not None:
                found.add(stored)
            elif first is not None and last is not None:
                found.update(self._span(first, last))
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


async def unsettled(session: AsyncSession, settled_before: date, limit: int,
                    quiet: timedelta = timedelta()) -> list[tuple[str, date]]:
    """Days to settle, oldest first: touched since they were last settled, old enough, and not
    touched for `quiet` (a consumer catching up touches the same days batch after batch)."""
    query = select(days.c.tenant, days.c.day).where(
        days.c.settled_version.is_distinct_from(days.c.version), days.c.day < settled_before,
        days.c.touched_at <= func.now() - quiet,
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


