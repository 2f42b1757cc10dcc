import pytest

from oneteam_contracts import (
    ASSIGNMENTS,
    CASES,
    FEEDBACK,
    HANDOFFS,
    INBOUND_REPORTS,
    INCIDENTS,
    KPI,
    MEDIATIONS,
    MESSAGES,
    OFFICER_POSITIONS,
    AssignmentAcknowledged,
    Envelope,
    IncidentReported,
    UnknownMessageType,
    dead_letter_topic,
    parse_event,
    partition_key,
    spec_for,
    spec_for_type,
    topics,
)

from .samples import ASSIGNMENT_ID, INCIDENT_ID


def test_assignment_events_are_keyed_by_incident_id(
    acknowledged_event: Envelope[AssignmentAcknowledged],
) -> None:
    key = partition_key(acknowledged_event)

    assert key == str(INCIDENT_ID).encode()
    assert key != str(ASSIGNMENT_ID).encode()


def test_an_incident_and_its_assignments_share_a_partition_key(
    reported_event: Envelope[IncidentReported],
    acknowledged_event: Envelope[AssignmentAcknowledged],
) -> None:
    assert partition_key(reported_event) == partition_key(acknowledged_event)


def test_partition_key_works_on_a_parsed_event(
    reported_event: Envelope[IncidentReported],
) -> None:
    parsed = parse_event(reported_event.model_dump_json())

    assert partition_key(parsed) == str(INCIDENT_ID).encode()


def test_every_message_type_is_registered_at_version_1() -> None:
    assert sorted(MESSAGES) == [
        "assignment.acknowledged",
        "assignment.arrived",
        "assignment.cancelled",
        "assignment.created",
        "assignment.escalated",
        "assignment.queued",
        "assignment.reassigned",
        "assignment.reported",
        "assignment.sla_breached",
        "case.closed",
        "case.deadline_missed",
        "case.deadline_warning",
        "case.decided",
        "case.filed",
        "case.opened",
        "case.requested",
        "case.transferred",
        "feedback.received",
        "incident.closed",
        "incident.merged",
        "incident.reopened",
        "incident.reported",
        "kpi.alert",
        "kpi.recovered",
        "mediation.agreement_broken",
        "mediation.agreement_kept",
        "mediation.agreement_signed",
        "mediation.concluded",
        "mediation.deadline_missed",
        "mediation.deadline_warning",
        "mediation.failed",
        "mediation.opened",
        "mediation.requested",
        "mediation.session_cancelled",
        "mediation.session_held",
        "mediation.session_reminder",
        "mediation.session_scheduled",
        "officer.position_reported",
        "report.submitted",
    ]
    assert {spec.version for spec in MESSAGES.values()} == {1}


def test_incident_messages_go_to_incidents_and_assignment_messages_to_assignments() -> None:
    for name, spec in MESSAGES.items():
        if name.startswith("incident."):
            assert spec.topic == INCIDENTS, name
        elif name.startswith("assignment."):
            assert spec.topic == ASSIGNMENTS, name


def test_officer_positions_are_compacted_and_keyed_by_officer() -> None:
    spec = MESSAGES["officer.position_reported"]

    assert spec.topic == OFFICER_POSITIONS and spec.key_field == "officer_id"
    assert OFFICER_POSITIONS.retention.topic_config()["cleanup.policy"] == "compact"


def test_feedback_is_keyed_by_incident_and_inbound_reports_by_external_id() -> None:
    assert MESSAGES["feedback.received"].topic == FEEDBACK
    assert MESSAGES["feedback.received"].key_field == "incident_id"
    assert MESSAGES["report.submitted"].topic == INBOUND_REPORTS
    assert MESSAGES["report.submitted"].key_field == "external_id"


def test_case_and_mediation_requests_go_to_the_handoffs_topic() -> None:
    assert MESSAGES["case.requested"].topic == MESSAGES["mediation.requested"].topic == HANDOFFS


def test_case_lifecycle_is_keyed_by_case_and_mediation_failure_is_a_handoff() -> None:
    for name, spec in MESSAGES.items():
        if name.startswith("case.") and name != "case.requested":
            assert spec.topic == CASES and spec.key_field == "case_id", name
    assert MESSAGES["mediation.failed"].topic == HANDOFFS


def test_spec_is_found_by_model_class_instance_or_type_name(
    incident_reported: IncidentReported,
) -> None:
    expected = MESSAGES["incident.reported"]

    assert spec_for(IncidentReported) is expected
    assert spec_for(incident_reported) is expected
    assert spec_for("incident.reported") is expected
    assert spec_for_type("incident.reported", 1) is expected


def test_unknown_version_names_the_known_versions() -> None:
    with pytest.raises(UnknownMessageType, match=r"known versions: \[1\]"):
        spec_for_type("incident.reported", 2)


def test_unknown_type_name_is_refused() -> None:
    with pytest.raises(UnknownMessageType):
        spec_for("incident.teleported")


def test_topics_lists_each_topic_once() -> None:
    assert topics() == [INCIDENTS, ASSIGNMENTS, FEEDBACK, INBOUND_REPORTS, OFFICER_POSITIONS, HANDOFFS, CASES,
                        MEDIATIONS, KPI]
    assert all(topic.partitions == 12 for topic in topics())


def test_topics_keep_records_for_30_days() -> None:
    assert INCIDENTS.retention.topic_config() == {
        "cleanup.policy": "delete",
        "retention.ms": str(30 * 24 * 60 * 60 * 1000),
    }


def test_dead_letter_topic_is_the_topic_name_with_dlq() -> None:
    assert dead_letter_topic("oneteam.incidents") == "oneteam.incidents.dlq"


def test_schema_id_is_a_urn_with_type_and_version() -> None:
    assert MESSAGES["assignment.created"].schema_id == "urn:oneteam:schema:assignment.created:v1"
