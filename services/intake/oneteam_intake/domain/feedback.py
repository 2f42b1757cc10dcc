"""Feedback (回访): the reporter rates the handling once the incident is closed."""

from __future__ import annotations

from dataclasses import dataclass

from oneteam_contracts import Satisfaction
from oneteam_intake.domain.reports import IncidentStatus
from oneteam_servicekit.errors import Conflict


@dataclass(frozen=True)
class Rating:
    """A reporter's rating and comment."""

    rating: Satisfaction
    comment: str | None


def check_can_rate(status: IncidentStatus | None, earlier: Rating | None, new: Rating) -> bool:
    """True if `new` should be recorded; False if it repeats the recorded rating (a retry).

    Refuses a rating before closure, and a second, different rating of the same report.
    """
    if earlier is not None:
        if earlier == new:
            return False
        raise Conflict("this report was already rated; a rating cannot be changed")
    if status is not IncidentStatus.CLOSED:
        shown = status.value if status is not None else "not yet an incident"
        raise Conflict(f"the incident is {shown}; it can be rated once it is closed")
    return True
