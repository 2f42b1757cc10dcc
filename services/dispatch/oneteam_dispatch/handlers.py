"""Dispatch's Kafka edge: incidents reported, merged, closed and reopened at intake."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from oneteam_contracts import Envelope, IncidentClosed, IncidentMerged, IncidentReopened, IncidentReported
from oneteam_dispatch import following
from oneteam_dispatch.push import PENDING, notify
from oneteam_dispatch.store import incidents as incident_store
from oneteam_servicekit import Subscription
from oneteam_servicekit.clock import Clock, SystemClock

clock: Clock = SystemClock()


async def note_incident(session: AsyncSession, event: Envelope[Any]) -> None:
    """Keep the incident as pending; the matcher, woken on commit, matches it with its neighbours in time."""
    incident: IncidentReported = event.data
    added = await incident_store.add_incident(
        session, id=incident.incident_id, tenant=event.tenant, category=incident.category,
        priority=incident.priority, location=incident.location, district=incident.district, grid=incident.grid,
        event_id=event.id, correlation_id=event.correlation_id, reported_at=incident.reported_at, now=clock.now(),
        traceparent=event.traceparent,
    )
    if added:
        await notify(session, PENDING, {"tenant": event.tenant})


async def follow_closed(session: AsyncSession, event: Envelope[Any]) -> None:
    """Closed (or closed as a duplicate) at intake: open orders are cancelled and officers freed."""
    closed: IncidentClosed = event.data
    await following.close(session, closed.incident_id, closed.resolution, clock.now())


async def follow_merged(session: AsyncSession, event: Envelope[Any]) -> None:
    """A further report joined the incident: it lives on, perhaps more urgent."""
    merged: IncidentMerged = event.data
    await following.raise_priority(session, merged.incident_id, merged.priority)


async def follow_reopened(session: AsyncSession, event: Envelope[Any]) -> None:
    """Reopened by its reporter or the command centre: new work, matched again."""
    reopened: IncidentReopened = event.data
    await following.reopen(session, event.tenant, reopened, event.id, event.correlation_id, clock.now())


SUBSCRIPTIONS = [Subscription(group="dispatch.incidents", handlers={
    "incident.reported": note_incident,
    "incident.merged": follow_merged,
    "incident.closed": follow_closed,
    "incident.reopened": follow_reopened,
})]
