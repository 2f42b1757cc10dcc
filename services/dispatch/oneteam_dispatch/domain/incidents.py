"""What dispatch does when an incident changes at intake: closed, merged into another, reopened.

Pure rules; the application step that applies them is ``oneteam_dispatch.following``.
"""

from __future__ import annotations

from enum import StrEnum

from oneteam_contracts import CancellationReason, IncidentResolution


class IncidentState(StrEnum):
    """Where an incident stands in dispatch (the ``dispatch_incidents.state`` column)."""

    PENDING = "pending"  # waiting for the matcher
    ASSIGNED = "assigned"  # an order is open
    QUEUED = "queued"  # on the command centre's queue
    HANDED_OFF = "handed_off"  # to the case or mediation service
    CLOSED = "closed"


# No new order may be made for an incident in these states (manual assignment answers 409).
NO_NEW_ORDERS = frozenset({IncidentState.ASSIGNED, IncidentState.HANDED_OFF, IncidentState.CLOSED})


def cancellation_reason(resolution: IncidentResolution) -> CancellationReason:
    """The code an officer's cancelled order carries for an incident closed with `resolution`."""
    # Intake closes the weaker of two incidents about one problem as a duplicate: it was merged.
    if resolution is IncidentResolution.DUPLICATE:
        return CancellationReason.INCIDENT_MERGED
    return CancellationReason.INCIDENT_CLOSED


def reopen_applies(state: str | None, known_count: int, reopen_count: int) -> bool:
    """Whether an `incident.reopened` makes new work here.

    It does when dispatch had finished with the incident (closed, or handed to a case or
    mediation) or never heard of it, and only once per reopening (`reopen_count` grows by
    one each time). An incident dispatch is still working on has its order already.
    """
    if reopen_count <= known_count:
        return False
    return state is None or state in (IncidentState.CLOSED, IncidentState.HANDED_OFF)


def follows_close(state: str) -> bool:
    """Whether an `incident.closed` still has something to do here.

    Dispatch closes incidents itself when an officer reports them resolved and then hears its
    own `incident.closed` back from the topic: an incident already closed is left alone.
    """
    return state != IncidentState.CLOSED
