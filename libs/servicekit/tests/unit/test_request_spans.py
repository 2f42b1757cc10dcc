"""With a tracer configured, each HTTP request is one server span: the kit's, not also FastAPI's."""

from __future__ import annotations

from opentelemetry.trace import SpanKind

from oneteam_eventbus.tracing import capture_spans

from .kit_app import build, client


async def test_one_request_is_one_server_span() -> None:
    captured = capture_spans()  # a configured tracer: FastAPI's own telemetry would switch itself on
    app = build()
    captured.clear()

    async with client(app) as http:
        response = await http.get("/v1/things", params={"q": "x"})

    assert response.status_code == 200
    servers = [s for s in captured.get_finished_spans() if s.kind is SpanKind.SERVER]
    assert len(servers) == 1, [(s.name, s.instrumentation_scope.name if s.instrumentation_scope else None)
                               for s in servers]
    assert servers[0].attributes is not None and servers[0].attributes.get("http.request.method") == "GET"
