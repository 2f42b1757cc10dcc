"""Intake's Kafka edge: dispatch's events move the reporter-visible status; other platforms'
`report.submitted` events become reports exactly as signed webhooks do."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from oneteam_contracts import Envelope, ReportSubmitted
from oneteam_eventbus import Handler
from oneteam_intake.domain.reopen import predates_reopening
from oneteam_intake.domain.reports import IncidentStatus, status_after
from oneteam_intake.platforms import submission
from oneteam_intake.service import Intake
from oneteam_intake.store import batches, incidents
from oneteam_servicekit import InvalidRequest, Subscription

STATUS_EVENTS = ("assignment.created", "assignment.reassigned", "assignment.acknowledged",
                 "assignment.arrived", "assignment.reported", "incident.closed")


async def follow_incident(session: AsyncSession, event: Envelope[Any]) -> None:
    """Move the incident's status along with its assignment's progress."""
    await follow_incidents(session, [event])


async def follow_incidents(session: AsyncSession, events: list[Envelope[Any]]) -> None:
    """A fetch's status events together: the incidents locked and read at once, each moved along
    by its events in order, the moves written in one statement (one transaction per event was
    ~10 % of intake's CPU in the pipeline benchmark at 100 reports/s, py-spy)."""
    found = await batches.lock_joined(session, [event.data.incident_id for event in events])
    # Incidents of another intake deployment are not found here; nothing to follow.
    reopened = await incidents.last_reopenings(session, [i.id for i in found.values() if i.reopen_count])
    moves: dict[UUID, tuple[IncidentStatus, datetime]] = {}
    for event in events:
        incident = found.get(event.data.incident_id)
        if incident is None:
            continue
        # A closure is dated by its closed_at (a re-published one keeps it); the others by their event.
        happened = getattr(event.data, "closed_at", None) or event.time
        if incident.reopen_count and predates_reopening(happened, reopened.get(incident.id)):
            continue
        current = moves[incident.id][0] if incident.id in moves else incident.status
        status = status_after(event.type, current)
        if status != current:
            moves[incident.id] = (status, event.time)
    await incidents.set_statuses(session, moves)


def receive_platform_report(intake: Intake) -> Handler:
    """The handler of `report.submitted`: the same submission as POST /v1/inbound/{platform}.

    A report intake refuses (unknown platform, point outside the tenant...) fails the handler,
    so after the consumer's retries it lands on the dead-letter topic, where the platform's
    operators can see it.
    """

    async def handle(session: AsyncSession, event: Envelope[Any]) -> None:
        report: ReportSubmitted = event.data
        if report.platform not in intake.settings.platform_keys:
            raise InvalidRequest(f"platform {report.platform!r} is not configured")
        await intake.submit(session, submission(intake.catalog, report.platform, event.tenant, report),
                            caused_by=event)

    return handle


def subscriptions(intake: Intake) -> list[Subscription]:
    """Intake's consumer groups."""
    suffix = intake.settings.consumer_group_suffix
    return [
        Subscription(group=f"intake.incident-status{suffix}",
                     handlers=dict.fromkeys(STATUS_EVENTS, follow_incident), batch_handler=follow_incidents,
                     prompt=False),  # the citizen's status page; reports from platforms below are on the clock
        Subscription(group=f"intake.inbound-reports{suffix}",
                     handlers={"report.submitted": receive_platform_report(intake)}),
    ]
