"""Shared sample messages; no infrastructure is needed by any contracts test."""

from uuid import UUID

import pytest

from oneteam_contracts import (
    AssignmentAcknowledged,
    Envelope,
    GeoPoint,
    IncidentReported,
    new_event,
)

from .samples import ASSIGNMENT_ID, CUIYUAN, INCIDENT_ID, NOW


@pytest.fixture
def incident_reported() -> IncidentReported:
    return IncidentReported(
        incident_id=INCIDENT_ID,
        report_id=UUID("00000000-0000-4000-8000-000000000001"),
        category="street_vending",
        source="ai_camera",
        priority="normal",
        location=GeoPoint(lon=120.1205, lat=30.2901),
        description="Street vendor blocking the pavement at the school gate.",
        district="d03",
        reported_at=NOW,
    )


@pytest.fixture
def reported_event(incident_reported: IncidentReported) -> Envelope[IncidentReported]:
    return new_event(incident_reported, source="intake", tenant=CUIYUAN, subject=str(INCIDENT_ID), time=NOW)


@pytest.fixture
def acknowledged_event(
    reported_event: Envelope[IncidentReported],
) -> Envelope[AssignmentAcknowledged]:
    data = AssignmentAcknowledged(
        assignment_id=ASSIGNMENT_ID,
        incident_id=INCIDENT_ID,
        officer_id="officer-017",
        acknowledged_at=NOW,
    )
    return new_event(
        data,
        source="dispatch",
        tenant=CUIYUAN,
        subject=str(ASSIGNMENT_ID),
        caused_by=reported_event,
    )
