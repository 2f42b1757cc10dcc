"""Dispatch's Kafka edge: an incident reported → an assignment (or the command centre's queue)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from oneteam_contracts import Envelope, IncidentReported, new_event
from oneteam_dispatch import store
from oneteam_dispatch.domain.assignments import assign
from oneteam_dispatch.domain.officers import choose_officer
from oneteam_dispatch.domain.sla import STANDARD_1358
from oneteam_eventbus import add_event
from oneteam_servicekit import Subscription
from oneteam_servicekit.clock import Clock, SystemClock

clock: Clock = SystemClock()


async def dispatch_incident(session: AsyncSession, event: Envelope[Any]) -> None:
    """Choose an officer for a newly reported incident and order them to it."""
    incident: IncidentReported = event.data
    now = clock.now()
    candidates = await store.list_officers(session, event.tenant, lock_available=True)
    choice = choose_officer(candidates, event.tenant, incident.location)
    if choice is None:
        await store.add_waiting(session, incident.incident_id, event.tenant, incident.category,
                                "no available officer", now)
        return
    assignment = assign(event.tenant, incident, choice, STANDARD_1358, now)
    await store.add_assignment(session, assignment)
    await store.mark_assigned(session, choice.officer.id, now)
    await add_event(session, new_event(
        assignment.created_event(choice.officer.team), source="dispatch", tenant=event.tenant,
        subject=str(assignment.id), caused_by=event,
    ))


SUBSCRIPTIONS = [Subscription(group="dispatch.incidents", handlers={"incident.reported": dispatch_incident})]
