"""Reopening (重新打开): a reporter told "closed" whose problem is still there, or the command
centre, may reopen an incident within the tenant's window after closure.

A reopened incident is open work again (dispatch queues it anew on `incident.reopened`); its
earlier closure stays on record and still counts against on-time closure (按期办结率).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from oneteam_contracts import IncidentReopened, ReopenReason, Satisfaction
from oneteam_intake.domain.reports import Incident, IncidentStatus
from oneteam_servicekit.errors import Conflict, InvalidRequest

# FixMyStreet and DIGIT both settle on about a week; a tenant may set its own in its config.
DEFAULT_WINDOW = timedelta(days=7)
REPORTER_REASONS = frozenset({ReopenReason.STILL_PRESENT, ReopenReason.DISSATISFIED})


@dataclass(frozen=True)
class Reopening:
    """What a reopening changes: the incident open again, counted once more."""

    incident: Incident
    reason: ReopenReason
    reopen_count: int
    closed_at: datetime | None
    at: datetime

    def event(self) -> IncidentReopened:
        """`incident.reopened`: what dispatch needs to queue the incident anew, and no free text."""
        incident = self.incident
        return IncidentReopened(
            incident_id=incident.id, category=incident.category, location=incident.location,
            priority=incident.priority, district=incident.district, grid=incident.grid, reason=self.reason,
            reopened_at=self.at, reopen_count=self.reopen_count,
        )


def window_text(window: timedelta) -> str:
    """The window in words for messages: '7 days', '36 hours'."""
    if window % timedelta(days=1) == timedelta():
        days = window.days
        return f"{days} day{'s' if days != 1 else ''}"
    hours = window / timedelta(hours=1)
    return f"{hours:g} hours"


def within_window(incident: Incident, window: timedelta, now: datetime) -> bool:
    """Whether a closed incident may still be reopened at `now`."""
    closed_at = incident.closed_at
    return incident.status is IncidentStatus.CLOSED and (closed_at is None or now <= closed_at + window)


def reopen(incident: Incident, reason: ReopenReason, *, by_reporter: bool, window: timedelta,
           now: datetime) -> Reopening:
    """Reopen `incident`; refused (409) unless it is closed and within `window` of its closure."""
    if by_reporter and reason not in REPORTER_REASONS:
        allowed = ", ".join(sorted(REPORTER_REASONS))
        raise InvalidRequest(f"reason: a reporter reopens with one of {allowed}",
                             errors=[{"field": "reason", "reason": f"one of {allowed}"}])
    if incident.status is not IncidentStatus.CLOSED:
        raise Conflict(f"incident {incident.id} is {incident.status.value}, not closed; only a closed "
                       "incident can be reopened")
    if not within_window(incident, window, now):
        raise Conflict(f"incident {incident.id} was closed more than {window_text(window)} ago; it can be "
                       f"reopened within {window_text(window)} of closure — report the problem anew")
    count = incident.reopen_count + 1
    # A reopening is a fresh sign of the problem: reports arriving now should join this incident
    # (the merge window counts from the latest report), not open a second one beside it.
    opened = replace(incident, status=IncidentStatus.REPORTED, closed_at=None, reopen_count=count,
                     last_report_at=now)
    return Reopening(opened, reason, count, incident.closed_at, now)


def predates_reopening(event_time: datetime, reopened_at: datetime | None) -> bool:
    """Whether a status event belongs to the incident's life before its last reopening.

    Intake hears its own `incident.closed` back from the topic, and dispatch's events of the
    earlier round may still be on their way: applied after the reopening, they would close the
    incident again or move it on, as if the new round had been handled.
    """
    return reopened_at is not None and event_time <= reopened_at


def offers_reopen(rating: Satisfaction, incident: Incident | None, window: timedelta, now: datetime) -> bool:
    """A 'dissatisfied' rating offers to reopen the incident while the window is open."""
    return (rating is Satisfaction.DISSATISFIED and incident is not None
            and within_window(incident, window, now))
