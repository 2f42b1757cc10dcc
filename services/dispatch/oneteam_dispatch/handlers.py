"""Dispatch's Kafka edge: incidents reported, merged, closed and reopened at intake."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from oneteam_contracts import Envelope, IncidentClosed, IncidentMerged, IncidentReopened
from oneteam_dispatch import following
from oneteam_dispatch.push import PENDING, notify
from oneteam_dispatch.store import incidents as incident_store
from oneteam_eventbus import Handler, in_runs
from oneteam_servicekit import Subscription
from oneteam_servicekit.clock import Clock, SystemClock

clock: Clock = SystemClock()


async def note_incident(session: AsyncSession, event: Envelope[Any]) -> None:
    """Keep the incident as pending; the matcher, woken on commit, matches it with its neighbours in time."""
    await note_incidents(session, [event])


async def note_incidents(session: AsyncSession, events: list[Envelope[Any]]) -> None:
    """A fetch's reported incidents, kept in one statement (one transaction each, at 100 reports/s,
    left reports waiting ~200 ms in the consumer under load: the pipeline benchmark)."""
    reported = [incident_store.Reported(
        id=e.data.incident_id, tenant=e.tenant, category=e.data.category, priority=e.data.priority,
        location=e.data.location, district=e.data.district, grid=e.data.grid, event_id=e.id,
        correlation_id=e.correlation_id, reported_at=e.data.reported_at, traceparent=e.traceparent,
    ) for e in events]
    added = await incident_store.add_incidents(session, reported, clock.now())
    for tenant in sorted({r.tenant for r in reported if r.id in added}):
        await notify(session, PENDING, {"tenant": tenant})


async def follow_closed(session: AsyncSession, event: Envelope[Any]) -> None:
    """Closed (or closed as a duplicate) at intake: open orders are cancelled and officers freed."""
    closed: IncidentClosed = event.data
    await following.close(session, closed.incident_id, closed.resolution, clock.now())


async def follow_merged(session: AsyncSession, event: Envelope[Any]) -> None:
    """A further report joined the incident: it lives on, perhaps more urgent."""
    await follow_merges(session, [event])


async def follow_merges(session: AsyncSession, events: list[Envelope[Any]]) -> None:
    """A fetch's merges in one statement, in their order."""
    merges: list[IncidentMerged] = [e.data for e in events]
    await incident_store.set_priorities(session, [(m.incident_id, m.priority) for m in merges])


async def follow_reopened(session: AsyncSession, event: Envelope[Any]) -> None:
    """Reopened by its reporter or the command centre: new work, matched again."""
    reopened: IncidentReopened = event.data
    await following.reopen(session, event.tenant, reopened, event.id, event.correlation_id, clock.now())


HANDLERS: dict[str, Handler] = {
    "incident.reported": note_incident,
    "incident.merged": follow_merged,
    "incident.closed": follow_closed,
    "incident.reopened": follow_reopened,
}
SUBSCRIPTIONS = [Subscription(group="dispatch.incidents", handlers=HANDLERS,
                              batch_handler=in_runs(HANDLERS, {"incident.reported": note_incidents,
                                                                 "incident.merged": follow_merges}))]
