import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from uuid import UUID, uuid4

import pytest
from pydantic import ValidationError

from oneteam_contracts import (
    AssignmentAcknowledged,
    Envelope,
    IncidentReported,
    UnknownMessageType,
    from_cloudevent,
    kafka_headers,
    new_event,
    parse_event,
    to_cloudevent,
)

from .samples import CUIYUAN, INCIDENT_ID, NOW


def test_event_survives_a_json_round_trip_with_its_typed_data(
    reported_event: Envelope[IncidentReported],
) -> None:
    parsed = parse_event(reported_event.model_dump_json().encode())

    assert parsed == reported_event
    assert isinstance(parsed.data, IncidentReported)
    assert parsed.data.location == reported_event.data.location


def test_event_survives_a_cloudevents_round_trip(
    acknowledged_event: Envelope[AssignmentAcknowledged],
) -> None:
    wire = json.loads(json.dumps(to_cloudevent(acknowledged_event)))

    parsed = from_cloudevent(wire)

    assert parsed == acknowledged_event
    assert isinstance(parsed.data, AssignmentAcknowledged)


def test_cloudevent_uses_lowercase_extension_names_and_a_dataschema(
    acknowledged_event: Envelope[AssignmentAcknowledged],
) -> None:
    event = to_cloudevent(acknowledged_event)

    assert event["specversion"] == "1.0"
    assert event["dataschema"] == "urn:oneteam:schema:assignment.acknowledged:v1"
    assert event["tenant"] == CUIYUAN
    assert event["schemaversion"] == 1
    assert event["causationid"] == str(acknowledged_event.causation_id)
    assert all(name.isalnum() and name.islower() for name in event)


def test_cloudevent_with_another_dataschema_is_rejected(
    reported_event: Envelope[IncidentReported],
) -> None:
    event = to_cloudevent(reported_event) | {"dataschema": "urn:oneteam:schema:other:v9"}

    with pytest.raises(ValueError, match="dataschema"):
        from_cloudevent(event)


def test_new_event_takes_type_and_version_from_the_registry(
    reported_event: Envelope[IncidentReported],
) -> None:
    assert reported_event.type == "incident.reported"
    assert reported_event.schema_version == 1
    assert reported_event.causation_id is None


def test_new_event_continues_the_correlation_of_the_event_that_caused_it(
    reported_event: Envelope[IncidentReported],
    acknowledged_event: Envelope[AssignmentAcknowledged],
) -> None:
    assert acknowledged_event.correlation_id == reported_event.correlation_id
    assert acknowledged_event.causation_id == reported_event.id
    assert acknowledged_event.id != reported_event.id


def test_new_event_uses_the_given_correlation_id(incident_reported: IncidentReported) -> None:
    flow = uuid4()

    event = new_event(incident_reported, source="intake", tenant=CUIYUAN, subject="s", correlation_id=flow)

    assert event.correlation_id == flow


def test_event_time_is_normalised_to_utc(incident_reported: IncidentReported) -> None:
    beijing = timezone(timedelta(hours=8))

    event = new_event(
        incident_reported,
        source="intake",
        tenant=CUIYUAN,
        subject="s",
        time=datetime(2024, 5, 1, 16, 0, tzinfo=beijing),
    )

    assert event.time == NOW
    assert event.time.tzinfo == UTC


def test_kafka_headers_carry_the_envelope_metadata(
    acknowledged_event: Envelope[AssignmentAcknowledged],
) -> None:
    headers = dict(kafka_headers(acknowledged_event))

    assert headers["ce_type"] == b"assignment.acknowledged"
    assert headers["ce_tenant"] == CUIYUAN.encode()
    assert headers["ce_schemaversion"] == b"1"
    assert headers["ce_causationid"] == str(acknowledged_event.causation_id).encode()
    assert headers["content-type"] == b"application/json"
    assert UUID(headers["ce_id"].decode()) == acknowledged_event.id


def test_kafka_headers_leave_out_a_missing_causation_id(
    reported_event: Envelope[IncidentReported],
) -> None:
    names = [name for name, _ in kafka_headers(reported_event)]

    assert names == [
        "ce_id", "ce_type", "ce_source", "ce_time", "ce_subject", "ce_tenant",
        "ce_schemaversion", "ce_correlationid", "content-type",
    ]  # fmt: skip


def _wire(event: Envelope[Any]) -> dict[str, Any]:
    wire: dict[str, Any] = json.loads(event.model_dump_json())
    return wire


@pytest.mark.parametrize(
    "corrupt, field, reason",
    [
        (lambda w: w["data"]["location"].update(lat=95), "data.location.lat", "between -90 and 90"),
        (lambda w: w.update(tenant="3301"), "tenant", "administrative division code"),
        (lambda w: w["data"].update(source="wechat"), "data.source", "citizen_app"),
        (lambda w: w["data"].update(reported_at="2024-05-01T08:00:00"), "data.reported_at",
         "timezone"),
        (lambda w: w.update(time="2024-05-01T08:00:00"), "time", "timezone"),
        (lambda w: w["data"].update(reporter_phone="13800000000"), "data.reporter_phone",
         "Extra inputs are not permitted"),
        (lambda w: w["data"].update(category="Street Vending"), "data.category", "lowercase code"),
    ],
)  # fmt: skip
def test_invalid_event_is_rejected_naming_the_field_and_the_reason(
    reported_event: Envelope[IncidentReported], corrupt: Any, field: str, reason: str
) -> None:
    wire = _wire(reported_event)
    corrupt(wire)

    with pytest.raises(ValidationError) as error:
        parse_event(wire)

    [problem] = error.value.errors()
    assert ".".join(str(part) for part in problem["loc"]) == field
    assert reason in problem["msg"]


def test_naive_event_time_is_rejected_by_new_event(incident_reported: IncidentReported) -> None:
    with pytest.raises(ValidationError, match="time"):
        new_event(
            incident_reported,
            source="intake",
            tenant=CUIYUAN,
            subject="s",
            time=datetime(2024, 5, 1, 8, 0),
        )


@pytest.mark.parametrize("changes", [{"type": "incident.teleported"}, {"schema_version": 7}])
def test_unknown_type_or_version_raises_unknown_message_type(
    reported_event: Envelope[IncidentReported], changes: dict[str, Any]
) -> None:
    with pytest.raises(UnknownMessageType, match="incident"):
        parse_event(_wire(reported_event) | changes)


def test_unregistered_data_model_cannot_be_wrapped() -> None:
    from pydantic import BaseModel

    class Unregistered(BaseModel):
        incident_id: UUID

    with pytest.raises(UnknownMessageType, match="Unregistered"):
        new_event(Unregistered(incident_id=INCIDENT_ID), source="x", tenant=CUIYUAN, subject="s")
