"""Dispatch's Kafka edge: a reported incident joins the matcher's pending set."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from oneteam_contracts import Envelope, IncidentReported
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
    )
    if added:
        await notify(session, PENDING, {"tenant": event.tenant})


SUBSCRIPTIONS = [Subscription(group="dispatch.incidents", handlers={"incident.reported": note_incident})]
