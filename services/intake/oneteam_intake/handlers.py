"""Intake's Kafka edge: dispatch's events move the reporter-visible status; other platforms'
`report.submitted` events become reports exactly as signed webhooks do."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from oneteam_contracts import Envelope, ReportSubmitted
from oneteam_eventbus import Handler
from oneteam_intake.domain.reopen import predates_reopening
from oneteam_intake.domain.reports import status_after
from oneteam_intake.platforms import submission
from oneteam_intake.service import Intake
from oneteam_intake.store import incidents
from oneteam_servicekit import InvalidRequest, Subscription

STATUS_EVENTS = ("assignment.created", "assignment.reassigned", "assignment.acknowledged",
                 "assignment.arrived", "assignment.reported", "incident.closed")


async def follow_incident(session: AsyncSession, event: Envelope[Any]) -> None:
    """Move the incident's status along with its assignment's progress."""
    incident = await incidents.get(session, event.data.incident_id, for_update=True)
    if incident is None:
        return  # an incident of another intake deployment; nothing to follow here
    # A closure is dated by its closed_at (a re-published one keeps it); the others by their event.
    happened = getattr(event.data, "closed_at", None) or event.time
    if incident.reopen_count and predates_reopening(happened, await incidents.last_reopened_at(session, incident.id)):
        return
    status = status_after(event.type, incident.status)
    if status != incident.status:
        await incidents.set_status(session, incident.id, status, event.time)


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
                     handlers=dict.fromkeys(STATUS_EVENTS, follow_incident)),
        Subscription(group=f"intake.inbound-reports{suffix}",
                     handlers={"report.submitted": receive_platform_report(intake)}),
    ]
