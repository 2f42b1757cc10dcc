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


def follows_close(state: str) -> bool:
    """Whether an `incident.closed` still has something to do here.

    Dispatch closes incidents itself when an officer reports them resolved and then hears its
    own `incident.closed` back from the topic: an incident already closed is left alone.
    """
    return state != IncidentState.CLOSED
