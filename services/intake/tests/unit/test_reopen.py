"""Reopening rules: who, why, and within which window after closure."""

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import uuid4

import pytest

from oneteam_contracts import GeoPoint, Priority, ReopenReason, Satisfaction
from oneteam_intake.config import PACKAGED, load_areas, load_tenant
from oneteam_intake.domain.reopen import DEFAULT_WINDOW, offers_reopen, predates_reopening, reopen, window_text
from oneteam_intake.domain.reports import Incident, IncidentStatus
from oneteam_servicekit.errors import Conflict, InvalidRequest

CLOSED_AT = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)
CLOSED = Incident(uuid4(), "330106004", "street_vending", Priority.NORMAL, GeoPoint(lon=120.12, lat=30.29), "摊贩",
                  IncidentStatus.CLOSED, 1, CLOSED_AT - timedelta(hours=1), CLOSED_AT - timedelta(hours=1),
                  district="D07", grid="D07-G1", closed_at=CLOSED_AT)


def test_reporter_reopens_within_the_window_and_the_incident_is_open_again() -> None:
    done = reopen(CLOSED, ReopenReason.STILL_PRESENT, by_reporter=True, window=DEFAULT_WINDOW,
                  now=CLOSED_AT + timedelta(days=6, hours=23))

    assert done.incident.status is IncidentStatus.REPORTED and done.incident.is_open
    assert done.reopen_count == 1 and done.closed_at == CLOSED_AT
    assert done.incident.last_report_at == CLOSED_AT + timedelta(days=6, hours=23), "new reports merge into it"
    event = done.event()
    assert (event.reason, event.reopen_count, event.grid) == (ReopenReason.STILL_PRESENT, 1, "D07-G1")


def test_reopening_after_the_window_is_refused_naming_the_window() -> None:
    with pytest.raises(Conflict, match="within 7 days of closure"):
        reopen(CLOSED, ReopenReason.DISSATISFIED, by_reporter=True, window=DEFAULT_WINDOW,
               now=CLOSED_AT + timedelta(days=7, seconds=1))


def test_a_tenant_window_of_hours_is_named_in_hours() -> None:
    with pytest.raises(Conflict, match="36 hours"):
        reopen(CLOSED, ReopenReason.COMMANDER, by_reporter=False, window=timedelta(hours=36),
               now=CLOSED_AT + timedelta(days=2))


def test_an_open_incident_cannot_be_reopened() -> None:
    with pytest.raises(Conflict, match="not closed"):
        reopen(replace(CLOSED, status=IncidentStatus.ASSIGNED), ReopenReason.COMMANDER, by_reporter=False,
               window=DEFAULT_WINDOW, now=CLOSED_AT)


def test_a_reporter_cannot_claim_the_commanders_reason() -> None:
    with pytest.raises(InvalidRequest):
        reopen(CLOSED, ReopenReason.COMMANDER, by_reporter=True, window=DEFAULT_WINDOW, now=CLOSED_AT)


def test_a_second_reopening_counts_twice() -> None:
    once = replace(CLOSED, reopen_count=1)

    assert reopen(once, ReopenReason.COMMANDER, by_reporter=False, window=DEFAULT_WINDOW,
                  now=CLOSED_AT).reopen_count == 2


def test_only_a_dissatisfied_rating_within_the_window_offers_reopening() -> None:
    soon, late = CLOSED_AT + timedelta(days=1), CLOSED_AT + timedelta(days=8)

    assert offers_reopen(Satisfaction.DISSATISFIED, CLOSED, DEFAULT_WINDOW, soon)
    assert not offers_reopen(Satisfaction.BASICALLY_SATISFIED, CLOSED, DEFAULT_WINDOW, soon)
    assert not offers_reopen(Satisfaction.DISSATISFIED, CLOSED, DEFAULT_WINDOW, late)
    assert window_text(timedelta(days=1)) == "1 day"


def test_the_tenant_file_sets_its_own_reopen_window(tmp_path: Path) -> None:
    tenant = {"type": "Feature", "properties": {"kind": "tenant", "code": "330106004", "reopen_window_days": 3},
              "geometry": {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]]}}
    district = {**tenant, "properties": {"kind": "district", "code": "D01"}}
    path = tmp_path / "330106004.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [tenant, district]}))

    assert load_tenant(path).reopen_window == timedelta(days=3)
    assert load_areas(PACKAGED / "tenants").tenants["330106004"].reopen_window is None  # → DEFAULT_WINDOW


def test_status_events_from_before_the_last_reopening_are_stale() -> None:
    reopened_at = CLOSED_AT + timedelta(hours=2)

    assert predates_reopening(CLOSED_AT, reopened_at)
    assert not predates_reopening(reopened_at + timedelta(seconds=1), reopened_at)
    assert not predates_reopening(CLOSED_AT, None)
