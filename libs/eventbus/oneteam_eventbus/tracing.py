"""OpenTelemetry traces across HTTP and Kafka, with W3C trace context; off unless configured.

One report is one trace: the HTTP edge starts (or continues) a span, the events written in
that request carry its ``traceparent`` in their envelope (the CloudEvents Distributed Tracing
extension, so the outbox row takes it to the relay), and each consumer continues the trace
from the event it handles. With no SDK provider set, the API's no-op tracer still passes an
incoming ``traceparent`` on unchanged, so a caller's trace survives even when ours is off.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from opentelemetry import propagate, trace
from opentelemetry.trace import Span, SpanKind, Status, StatusCode

from oneteam_contracts import Envelope

if TYPE_CHECKING:
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

log = logging.getLogger(__name__)
tracer = trace.get_tracer("oneteam")
_TRACE_FIELDS = ("traceparent", "tracestate")
_configured = False  # OpenTelemetry takes one global provider per process
_captured: InMemorySpanExporter | None = None


def configure_tracing(service: str, environ: Mapping[str, str] = os.environ) -> bool:
    """Export spans over OTLP/HTTP when OTEL_EXPORTER_OTLP_ENDPOINT is set; True if it now does.

    The exporter package (``opentelemetry-exporter-otlp-proto-http``, the eventbus ``otlp``
    extra) is optional: without it tracing stays off and says so once in the log.
    """
    global _configured
    if _configured:
        return True
    if not environ.get("OTEL_EXPORTER_OTLP_ENDPOINT") or environ.get("OTEL_SDK_DISABLED") == "true":
        return False
    try:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import (  # type: ignore[import-not-found]
            OTLPSpanExporter,
        )
    except ImportError:
        log.warning("OTEL_EXPORTER_OTLP_ENDPOINT is set but the OTLP exporter is not installed; "
                    "install oneteam-eventbus[otlp] to export traces")
        return False
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    provider = TracerProvider(resource=Resource.create({"service.name": environ.get("OTEL_SERVICE_NAME", service)}))
    # The exporter reads the endpoint, headers and timeout from the standard OTEL_* variables.
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    trace.set_tracer_provider(provider)
    _configured = True
    return True


def capture_spans() -> InMemorySpanExporter:
    """For tests: record every span of this process in memory (the same exporter on every call).

    OpenTelemetry accepts one provider per process, so test rings share this one.
    """
    global _captured, _configured
    if _captured is None:
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import SimpleSpanProcessor
        from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

        _captured = InMemorySpanExporter()
        provider = TracerProvider()
        provider.add_span_processor(SimpleSpanProcessor(_captured))
        trace.set_tracer_provider(provider)
        _configured = True
    return _captured


def trace_headers() -> dict[str, str]:
    """The current span's W3C trace context (``traceparent``, ``tracestate``), if any."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return {name: carrier[name] for name in _TRACE_FIELDS if name in carrier}


def with_trace(event: Envelope[Any]) -> Envelope[Any]:
    """``event`` carrying the current trace context, unless it already carries one."""
    if event.traceparent is not None:
        return event
    context = trace_headers()
    if "traceparent" not in context:
        return event
    return event.model_copy(update={name: context.get(name) for name in _TRACE_FIELDS})


@contextmanager
def consuming(event: Envelope[Any], *, topic: str, group: str) -> Iterator[Span]:
    """A consumer span for handling ``event``, child of the span that produced it."""
    carrier = {name: value for name in _TRACE_FIELDS if (value := getattr(event, name)) is not None}
    with tracer.start_as_current_span(
        f"{event.type} process", context=propagate.extract(carrier), kind=SpanKind.CONSUMER,
        attributes={"messaging.system": "kafka", "messaging.destination.name": topic,
                    "messaging.consumer.group.name": group, "messaging.message.id": str(event.id),
                    "cloudevents.event_type": event.type, "oneteam.tenant": event.tenant},
    ) as span:
        yield span


@contextmanager
def continuing(traceparent: str | None, name: str) -> Iterator[Span]:
    """A span for later work on something whose trace context was stored (a matcher's order)."""
    carrier = {"traceparent": traceparent} if traceparent else {}
    with tracer.start_as_current_span(name, context=propagate.extract(carrier)) as span:
        yield span


@contextmanager
def serving(method: str, route: str, headers: Mapping[str, str]) -> Iterator[Span]:
    """A server span for one HTTP request, continuing the caller's ``traceparent`` if sent."""
    with tracer.start_as_current_span(
        f"{method} {route}", context=propagate.extract(dict(headers)), kind=SpanKind.SERVER,
        attributes={"http.request.method": method, "http.route": route},
    ) as span:
        yield span


def record_status(span: Span, status: int) -> None:
    """Mark a server span with its HTTP status; 5xx is an error, 4xx the caller's."""
    span.set_attribute("http.response.status_code", status)
    if status >= 500:
        span.set_status(Status(StatusCode.ERROR))
