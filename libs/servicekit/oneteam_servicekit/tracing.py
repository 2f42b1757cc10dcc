"""ASGI middleware: one server span per HTTP request, continuing the caller's W3C trace."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from oneteam_eventbus.tracing import record_status, serving

_SKIPPED = frozenset({"/healthz", "/readyz", "/metrics"})  # probes and scrapes are no one's work


class TraceRequests:
    """Starts a span per request (child of an incoming ``traceparent``), named by route."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in _SKIPPED:
            await self.app(scope, receive, send)
            return
        headers = {name.decode("latin-1").lower(): value.decode("latin-1") for name, value in scope["headers"]}
        with serving(scope["method"], scope["path"], headers) as span:

            async def send_recording_status(message: Message) -> None:
                if message["type"] == "http.response.start":
                    record_status(span, message["status"])
                await send(message)

            try:
                await self.app(scope, receive, send_recording_status)
            finally:
                # The template ("/v1/reports/{report_id}") is known only once routing ran.
                route = getattr(scope.get("route"), "path", None)
                if route is not None:
                    span.update_name(f"{scope['method']} {route}")
                    span.set_attribute("http.route", route)
