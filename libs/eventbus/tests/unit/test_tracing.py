"""Trace context rides on events staged inside a span; export is off unless configured."""

import importlib.util
import logging
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import pytest

from oneteam_contracts import Envelope, GeoPoint, IncidentReported, new_event
from oneteam_eventbus import tracing
from oneteam_eventbus.tracing import capture_spans, configure_tracing, consuming, tracer, with_trace


def _event() -> Envelope[Any]:
    data = IncidentReported(incident_id=uuid4(), report_id=uuid4(), category="noise", source="patrol",
                            priority="normal", location=GeoPoint(lon=120.1, lat=30.2), reported_at=datetime.now(UTC))
    return new_event(data, source="intake", tenant="330106004", subject=str(data.incident_id))


@pytest.fixture
def unconfigured(monkeypatch: pytest.MonkeyPatch) -> None:
    # Another test of this process may have captured spans already (one provider per process).
    monkeypatch.setattr(tracing, "_configured", False)


@pytest.mark.usefixtures("unconfigured")
def test_tracing_stays_off_without_an_otlp_endpoint() -> None:
    assert configure_tracing("intake", environ={}) is False


@pytest.mark.skipif(importlib.util.find_spec("opentelemetry.exporter") is not None, reason="the exporter is installed")
@pytest.mark.usefixtures("unconfigured")
def test_an_endpoint_without_the_exporter_says_so_and_stays_off(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        assert configure_tracing("intake", environ={"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"}) is False
    assert "oneteam-eventbus[otlp]" in caplog.text


def test_an_event_staged_inside_a_span_carries_its_trace_and_a_consumer_continues_it() -> None:
    spans = capture_spans()
    outside = with_trace(_event())

    with tracer.start_as_current_span("POST /v1/reports") as request:
        inside = with_trace(_event())
    with consuming(inside, topic="oneteam.incidents", group="dispatch") as handling:
        pass

    assert outside.traceparent is None
    trace_id = format(request.get_span_context().trace_id, "032x")
    assert inside.traceparent is not None and inside.traceparent.split("-")[1] == trace_id
    finished = {s.name: s for s in spans.get_finished_spans()}
    assert finished["incident.reported process"].parent is not None
    assert finished["incident.reported process"].parent.span_id == request.get_span_context().span_id
    assert handling.get_span_context().trace_id == request.get_span_context().trace_id
