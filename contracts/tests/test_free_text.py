"""Public incident and feedback messages carry no free text, yet v1 readers keep working."""

import json
from pathlib import Path
from typing import Any

from oneteam_contracts import (
    INCIDENTS,
    FeedbackReceived,
    GeoPoint,
    IncidentClosed,
    IncidentReopened,
    IncidentReported,
    new_event,
    parse_event,
    partition_key,
)
from oneteam_contracts.compat import breaking_changes
from oneteam_contracts.export import envelope_schema
from oneteam_contracts.topics import MESSAGES

from .samples import CUIYUAN, INCIDENT_ID, NOW

SCHEMAS = Path(__file__).resolve().parent.parent / "schemas"
# A v1 message as intake published it before the rule: readers must still accept it.
OLD_REPORTED: dict[str, Any] = {
    "incident_id": str(INCIDENT_ID), "report_id": "00000000-0000-4000-8000-000000000001",
    "category": "street_vending", "source": "citizen_app", "priority": "normal",
    "location": {"lon": 120.12, "lat": 30.29, "crs": "wgs84"}, "description": "张三说：车牌浙A12345",
    "reported_at": "2024-05-01T08:00:00Z",
}


def test_a_new_incident_reported_says_only_whether_there_was_a_description() -> None:
    data = IncidentReported.model_validate({**OLD_REPORTED, "description": "", "has_description": True})

    wire = json.loads(new_event(data, source="intake", tenant=CUIYUAN, subject=str(INCIDENT_ID)).model_dump_json())

    assert wire["data"]["description"] == "" and wire["data"]["has_description"] is True


def test_an_old_incident_reported_with_text_is_still_readable() -> None:
    data = IncidentReported.model_validate(OLD_REPORTED)

    assert data.description == OLD_REPORTED["description"] and data.has_description is False


def test_closing_notes_and_comments_are_flags_with_null_text_by_default() -> None:
    closed = IncidentClosed(incident_id=INCIDENT_ID, resolution="resolved_on_site", closed_at=NOW, has_note=True)
    rated = FeedbackReceived(incident_id=INCIDENT_ID, report_id=INCIDENT_ID, category="noise",
                             source="citizen_app", rating="dissatisfied", received_at=NOW, has_comment=True)

    assert closed.note is None and rated.comment is None


def test_the_free_text_change_is_compatible_with_the_published_v1_schemas() -> None:
    for name in ("incident.reported", "incident.closed", "feedback.received"):
        spec = MESSAGES[name]
        committed = json.loads((SCHEMAS / f"{name}.v1.json").read_text(encoding="utf-8"))
        assert breaking_changes(committed, envelope_schema(spec)) == [], name


def test_incident_reopened_rides_the_incidents_topic_keyed_by_incident() -> None:
    reopened = IncidentReopened(incident_id=INCIDENT_ID, category="street_vending",
                                location=GeoPoint(lon=120.12, lat=30.29), priority="normal", district="D07",
                                grid="D07-G1", reason="still_present", reopened_at=NOW, reopen_count=1)
    sent = new_event(reopened, source="intake", tenant=CUIYUAN, subject=str(INCIDENT_ID))

    event = parse_event(sent.model_dump_json())

    assert event.type == "incident.reopened" and MESSAGES["incident.reopened"].topic == INCIDENTS
    assert partition_key(event) == str(INCIDENT_ID).encode()
    assert event.data == reopened
