"""Intake's Kafka edge: dispatch's events move the reporter-visible incident status."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from oneteam_contracts import Envelope
from oneteam_intake import store
from oneteam_intake.domain.reports import status_after
from oneteam_servicekit import Subscription


async def follow_incident(session: AsyncSession, event: Envelope[Any]) -> None:
    """Move the incident's status along with its assignment's progress."""
    incident = await store.get_incident(session, event.data.incident_id, for_update=True)
    if incident is None:
        return  # an incident of another intake deployment; nothing to follow here
    status = status_after(event.type, incident.status)
    if status != incident.status:
        await store.set_status(session, incident.id, status, event.time)


SUBSCRIPTIONS = [
    Subscription(
        group="intake.incident-status",
        handlers={message_type: follow_incident for message_type in (
            "assignment.created", "assignment.reassigned", "assignment.acknowledged",
            "assignment.arrived", "assignment.reported", "incident.closed",
        )},
    ),
]
