"""Public topics carry no free text; every topic says who may read it; dead letters are internal."""

from oneteam_contracts import AssignmentCreated, AssignmentReported, GeoPoint, new_event, topics
from oneteam_contracts.audience import free_text_fields, public_specs, retired_text_in
from oneteam_contracts.topics import MESSAGES

from .samples import ASSIGNMENT_ID, CUIYUAN, INCIDENT_ID, NOW


def test_no_public_message_has_a_string_field_that_could_hold_free_text() -> None:
    offenders = {spec.type: free_text_fields(spec) for spec in public_specs() if free_text_fields(spec)}

    assert offenders == {}


def test_the_check_catches_free_text_where_it_would_leak() -> None:
    assert free_text_fields(MESSAGES["case.requested"]) == ["department", "legal_basis", "notes"]
    assert free_text_fields(MESSAGES["mediation.requested"]) == ["notes"]


def test_lifecycles_are_public_and_personal_or_typed_data_stays_internal() -> None:
    audience = {topic.name: topic.audience for topic in topics()}

    assert {name for name, who in audience.items() if who == "public"} == {
        "oneteam.incidents", "oneteam.assignments", "oneteam.cases", "oneteam.mediations", "oneteam.kpi"}
    assert audience["oneteam.handoffs"] == audience["oneteam.officer-positions"] == "internal"


def test_a_retired_text_field_with_text_is_found_in_an_event() -> None:
    reported = AssignmentReported(assignment_id=ASSIGNMENT_ID, incident_id=INCIDENT_ID, officer_id="o-1",
                                  outcome="resolved_on_site", notes="张三 浙A12345", reported_at=NOW)
    created = AssignmentCreated(assignment_id=ASSIGNMENT_ID, incident_id=INCIDENT_ID, officer_ids=["o-1"],
                                category="noise", priority="normal", location=GeoPoint(lon=120.1, lat=30.2),
                                deadlines={}, basis="matched", created_at=NOW)

    assert retired_text_in(new_event(reported, source="dispatch", tenant=CUIYUAN, subject="s")) == ["notes"]
    assert retired_text_in(new_event(created, source="dispatch", tenant=CUIYUAN, subject="s")) == []
