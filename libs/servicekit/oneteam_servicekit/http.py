"""ASGI middleware: correlation id in and out, request metrics."""

from __future__ import annotations

import time
import uuid
from typing import Any

from prometheus_client import Counter, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from oneteam_eventbus import correlation_id

HTTP_REQUESTS = Counter(
    "oneteam_http_requests_total", "HTTP requests", ["service", "method", "route", "status"]
)
HTTP_SECONDS = Histogram(
    "oneteam_http_request_seconds", "HTTP request latency", ["service", "method", "route"]
)
HEADER = b"x-correlation-id"


class CorrelationAndMetrics:
    """Adopts the caller's `X-Correlation-ID` (or makes one), echoes it, and counts requests."""

    def __init__(self, app: ASGIApp, service: str) -> None:
        self.app = app
        self.service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = dict(scope["headers"]).get(HEADER, b"").decode(errors="replace")[:100]
        value = incoming or str(uuid.uuid4())
        token = correlation_id.set(value)
        started = time.perf_counter()
        status = 500

        async def send_with_header(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", []), (HEADER, value.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_header)
        finally:
            correlation_id.reset(token)
            route = _route(scope)
            HTTP_REQUESTS.labels(self.service, scope["method"], route, str(status)).inc()
            HTTP_SECONDS.labels(self.service, scope["method"], route).observe(time.perf_counter() - started)


def _route(scope: dict[str, Any] | Scope) -> str:
    # The template ("/v1/reports/{report_id}") keeps metric label sets small.
    route = scope.get("route")
    return getattr(route, "path", "unmatched")
