"""A hand-counted morning of two incidents, as the events intake, dispatch and the reporters send.

Incident A goes by the book: acknowledged in 30 s, on site in 4 min, reported in 7, resolved on
site, closed, the reporter satisfied. Incident B is late at every stage (2, 6 and 9 min), becomes
a case, and its reporter is dissatisfied. So every 1-3-5-8 share is 1/2, front-line resolution
1/2, satisfaction 1/2, and both closures are within the 24-hour SLA (2/2).
"""

from __future__ import annotations

import random
import uuid
from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel

from oneteam_contracts import (
    AssignmentAcknowledged,
    AssignmentArrived,
    AssignmentCreated,
    AssignmentOutcome,
    AssignmentReported,
    Envelope,
    FeedbackReceived,
    GeoPoint,
    IncidentClosed,
    IncidentReported,
    IncidentResolution,
    Priority,
    ReportSource,
    Satisfaction,
    SlaStage,
    new_event,
)

EXPECTED = {"acknowledged": (1, 2), "arrived": (1, 2), "reported": (1, 2), "front_line_resolution": (1, 2),
            "satisfaction": (1, 2), "on_time_closure": (2, 2)}
HERE = GeoPoint(lon=120.12, lat=30.29)
SOURCES = {"incident": "intake", "assignment": "dispatch", "feedback": "intake"}


def random_tenant() -> str:
    """A tenant code of its own, so events other tests left on the shared topics never count here."""
    return "3301" + "".join(random.choice("0123456789") for _ in range(8))


def _incident(start: datetime, *, ack: float, arrive: float, report: float, outcome: AssignmentOutcome,
              resolution: IncidentResolution, closed: float, rating: Satisfaction, grid: str) -> list[BaseModel]:
    incident_id, assignment_id, report_id = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()

    def t(minutes: float) -> datetime:
        return start + timedelta(minutes=minutes)

    deadlines = {SlaStage.ACKNOWLEDGE: t(1), SlaStage.COORDINATE: t(3), SlaStage.ARRIVE: t(5), SlaStage.REPORT: t(8)}
    return [
        IncidentReported(incident_id=incident_id, report_id=report_id, category="street_vending",
                         source=ReportSource.CITIZEN_APP, priority=Priority.NORMAL, location=HERE, district="D01",
                         grid=grid, reported_at=t(-1)),
        AssignmentCreated(assignment_id=assignment_id, incident_id=incident_id, officer_ids=["o-1"], team="T1",
                          category="street_vending", priority=Priority.NORMAL, location=HERE, deadlines=deadlines,
                          created_at=t(0)),
        AssignmentAcknowledged(assignment_id=assignment_id, incident_id=incident_id, officer_id="o-1",
                               acknowledged_at=t(ack)),
        AssignmentArrived(assignment_id=assignment_id, incident_id=incident_id, officer_id="o-1", arrived_at=t(arrive),
                          distance_m=40.0),
        AssignmentReported(assignment_id=assignment_id, incident_id=incident_id, officer_id="o-1", outcome=outcome,
                           reported_at=t(report)),
        IncidentClosed(incident_id=incident_id, resolution=resolution, closed_at=t(closed)),
        FeedbackReceived(incident_id=incident_id, report_id=report_id, category="street_vending",
                         source=ReportSource.CITIZEN_APP, rating=rating, received_at=t(closed + 60)),
    ]


def morning(start: datetime) -> list[BaseModel]:
    """Incidents A and B's events, in the order they happened."""
    a = _incident(start, ack=0.5, arrive=4, report=7, outcome=AssignmentOutcome.RESOLVED_ON_SITE,
                  resolution=IncidentResolution.RESOLVED_ON_SITE, closed=10, rating=Satisfaction.SATISFIED, grid="G1")
    b = _incident(start, ack=2, arrive=6, report=9, outcome=AssignmentOutcome.NEEDS_CASE,
                  resolution=IncidentResolution.CASE_OPENED, closed=30, rating=Satisfaction.DISSATISFIED, grid="G2")
    return a + b


def random_morning(rng: random.Random, start: datetime, incidents: int = 6) -> list[BaseModel]:
    """Incidents with drawn stage times, outcomes, closures and ratings, for the property test."""
    drawn: list[BaseModel] = []
    for n in range(incidents):
        ack = rng.uniform(0.1, 3)
        arrive = ack + rng.uniform(0.5, 6)
        report = arrive + rng.uniform(0.5, 6)
        on_site = rng.random() < 0.6
        drawn += _incident(start + timedelta(minutes=rng.uniform(0, 600)), ack=ack, arrive=arrive, report=report,
                           outcome=AssignmentOutcome.RESOLVED_ON_SITE if on_site else AssignmentOutcome.NEEDS_CASE,
                           resolution=(IncidentResolution.RESOLVED_ON_SITE if on_site
                                       else IncidentResolution.CASE_OPENED),
                           closed=report + rng.uniform(1, 2000), rating=rng.choice(list(Satisfaction)),
                           grid=f"G{n % 3}")
    return drawn


def envelopes(data: list[BaseModel], tenant: str) -> list[Envelope[Any]]:
    """Each message in its envelope, stamped with its own event time."""
    return [new_event(d, source=SOURCES[_family(d)], tenant=tenant, subject=str(uuid.uuid4()), time=_when(d))
            for d in data]


def _family(data: BaseModel) -> str:
    name = type(data).__name__
    return "assignment" if name.startswith("Assignment") else "feedback" if name.startswith("Feedback") else "incident"


def _when(data: BaseModel) -> datetime:
    for name, value in data:
        if name.endswith("_at") and isinstance(value, datetime):
            return value
    raise ValueError(f"{type(data).__name__} has no event time")
