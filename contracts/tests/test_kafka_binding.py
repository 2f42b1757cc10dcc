"""Records are strict CloudEvents 1.0 for the official SDK; our reader takes every form ever written."""

import json
from typing import Any

import pytest
from cloudevents.core.bindings import kafka as ce_kafka
from cloudevents.core.formats.json import JSONFormat
from cloudevents.v1 import kafka as ce_kafka_v1

from oneteam_contracts import (
    AssignmentAcknowledged,
    Envelope,
    IncidentReported,
    event_from_kafka,
    kafka_headers,
    to_kafka,
)

TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"


def _sdk_read(headers: list[tuple[str, bytes]], key: bytes, value: bytes) -> Any:
    return ce_kafka.from_kafka(ce_kafka.KafkaMessage(headers=dict(headers), key=key, value=value), JSONFormat())


@pytest.mark.parametrize("mode", ["structured", "binary"])
def test_the_official_sdk_reads_both_modes_with_data_as_the_payload_and_the_key_as_partitionkey(
    acknowledged_event: Envelope[AssignmentAcknowledged], mode: Any,
) -> None:
    traced = acknowledged_event.model_copy(update={"traceparent": TRACEPARENT})
    record = to_kafka(traced, mode)

    event = _sdk_read(record.headers, record.key, record.value)
    legacy_sdk = (ce_kafka_v1.from_structured if mode == "structured" else ce_kafka_v1.from_binary)(
        ce_kafka_v1.KafkaMessage(dict(record.headers), record.key, record.value))

    assert event.get_data() == acknowledged_event.data.model_dump(mode="json")
    assert legacy_sdk.get_data() == event.get_data()
    attributes = event.get_attributes()
    assert attributes["specversion"] == "1.0" and attributes["type"] == "assignment.acknowledged"
    assert attributes["partitionkey"] == str(acknowledged_event.data.incident_id)
    assert attributes["dataschema"] == "urn:oneteam:schema:assignment.acknowledged:v1"
    assert attributes["traceparent"] == TRACEPARENT and attributes["tenant"] == acknowledged_event.tenant


def test_structured_records_say_so_in_content_type_and_carry_the_w3c_header(
    acknowledged_event: Envelope[AssignmentAcknowledged],
) -> None:
    record = to_kafka(acknowledged_event.model_copy(update={"traceparent": TRACEPARENT}))

    headers = dict(record.headers)

    assert headers["content-type"] == b"application/cloudevents+json"
    assert headers["traceparent"] == TRACEPARENT.encode()
    assert not any(name.startswith("ce_") for name in headers), "ce_* headers would make it binary mode"
    assert json.loads(record.value)["schemaversion"] == 1


def test_the_wire_1_form_misleads_the_sdk_but_our_reader_still_takes_it(
    reported_event: Envelope[IncidentReported],
) -> None:
    headers, value = kafka_headers(reported_event), reported_event.model_dump_json().encode()

    misread = _sdk_read(headers, b"k", value).get_data()

    assert "schema_version" in misread, "wire 1 gave the SDK the whole envelope as data"
    assert event_from_kafka(headers, value) == reported_event


@pytest.mark.parametrize("mode", ["structured", "binary"])
def test_our_reader_gets_back_the_same_envelope_from_either_mode(
    acknowledged_event: Envelope[AssignmentAcknowledged], mode: Any,
) -> None:
    record = to_kafka(acknowledged_event, mode)

    assert event_from_kafka(record.headers, record.value) == acknowledged_event


@pytest.mark.parametrize("mode", ["structured", "binary"])
def test_a_type_the_reader_does_not_want_is_skipped_before_validation(
    acknowledged_event: Envelope[AssignmentAcknowledged], mode: Any,
) -> None:
    record = to_kafka(acknowledged_event, mode)
    broken = record.value.replace(b'"officer-017"', b"17")

    assert event_from_kafka(record.headers, broken, wanted={"incident.reported"}) is None
    with pytest.raises(ValueError):
        event_from_kafka(record.headers, broken, wanted={"assignment.acknowledged"})


def test_a_binary_record_from_another_platform_without_our_extensions_is_refused(
    acknowledged_event: Envelope[AssignmentAcknowledged],
) -> None:
    record = to_kafka(acknowledged_event, "binary")
    headers = [(name, value) for name, value in record.headers if name != "ce_tenant"]

    with pytest.raises(ValueError, match="tenant"):
        event_from_kafka(headers, record.value)


def test_a_malformed_trace_context_is_dropped_not_a_reason_to_refuse_the_event(
    acknowledged_event: Envelope[AssignmentAcknowledged],
) -> None:
    record = to_kafka(acknowledged_event, "binary")
    headers = [*record.headers, ("ce_traceparent", b"01-not-a-trace"), ("ce_tracestate", b"x" * 600)]

    event = event_from_kafka(headers, record.value)

    assert event is not None and event.traceparent is None and event.tracestate is None
    assert event.data == acknowledged_event.data
