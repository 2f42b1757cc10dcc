"""Every error leaves as `application/problem+json` (RFC 9457) with a stable `type`."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import asyncpg.exceptions as pg
import fastapi.routing
import sqlalchemy.exc as sa
from asyncpg.exceptions._base import DataError as ClientDataError  # a value asyncpg cannot encode
from fastapi import FastAPI, Request
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import HTTPConnection

from oneteam_eventbus.faults import causes, is_transient
from oneteam_servicekit.errors import DomainError

log = logging.getLogger(__name__)

PROBLEM_BASE = "https://oneteam.example/problems/"
MEDIA_TYPE = "application/problem+json"
RETRY_AFTER_S = 2
_SLUGS = {400: "bad-request", 401: "unauthorized", 403: "forbidden", 404: "not-found",
          405: "method-not-allowed", 413: "too-large", 415: "unsupported-media-type"}
# Values the request carried that the database cannot hold. Field checks should catch them
# first; this is the net under them, so a missed one is the client's 422, not a 500.
_UNSTORABLE: tuple[type[BaseException], ...] = (pg.DataError, ClientDataError)


def problem_body(status: int, type_: str, title: str, detail: str, instance: str, **extensions: Any) -> dict[str, Any]:
    """One problem's fields: an HTTP answer's body, or the error of a WebSocket frame."""
    return {"type": PROBLEM_BASE + type_, "title": title, "status": status, "detail": detail,
            "instance": instance, **extensions}


def problem(status: int, type_: str, title: str, detail: str, request: HTTPConnection,
            headers: dict[str, str] | None = None, **extensions: Any) -> JSONResponse:
    """Build one problem response."""
    body = problem_body(status, type_, title, detail, request.url.path, **extensions)
    return JSONResponse(body, status_code=status, media_type=MEDIA_TYPE, headers=headers)


def domain_problem(exc: DomainError, instance: str) -> dict[str, Any]:
    """A user's error as a problem's fields."""
    return problem_body(exc.status, exc.type, exc.title, exc.detail, instance, **exc.extensions)


def invalid_input(errors: Sequence[Any], body: Any, instance: str) -> dict[str, Any]:
    """A 422 naming every field pydantic refused (`errors` as pydantic gives them)."""
    found = [{"field": "body" if e["type"] == "json_invalid" else _field(tuple(e["loc"])),
              "reason": _reason(e, body)} for e in errors]
    detail = "; ".join(f"{e['field']}: {e['reason']}" for e in found)
    return problem_body(422, "validation-error", "Invalid input", detail, instance, errors=found)


def _field(loc: tuple[Any, ...]) -> str:
    # ("body", "location", "lat") → "location.lat": the part a client author recognises.
    parts = [str(part) for part in loc if part not in ("body", "query", "path", "header")]
    return ".".join(parts) or ".".join(str(part) for part in loc)


def _reason(error: dict[str, Any], body: Any) -> str:
    if error["type"] != "json_invalid":
        return str(error["msg"])
    if not error["loc"]:  # pydantic's own parser (a WebSocket frame) names the line and column itself
        return "invalid JSON" + str(error["msg"]).removeprefix("Invalid JSON")
    # FastAPI gives the character offset alone; a person needs the line and column.
    position = int(error["loc"][-1]) if str(error["loc"][-1]).isdigit() else 0
    before = body[:position] if isinstance(body, str | bytes) else ""
    text = before.decode(errors="replace") if isinstance(before, bytes) else before
    line, column = text.count("\n") + 1, position - (text.rfind("\n") + 1) + 1
    return f"invalid JSON at line {line}, column {column}: {error.get('ctx', {}).get('error', 'malformed')}"


async def _validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    whole_body_wrong = any(tuple(e["loc"]) == ("body",) and e["type"] != "missing" for e in exc.errors())
    if whole_body_wrong and content_type != "application/json" and not content_type.endswith("+json"):
        return problem(415, "unsupported-media-type", "Unsupported media type",
                       f"Content-Type must be application/json, not {content_type or 'absent'}", request)
    return JSONResponse(invalid_input(exc.errors(), exc.body, request.url.path), status_code=422,
                        media_type=MEDIA_TYPE)


def _retry_headers(extensions: dict[str, Any]) -> dict[str, str] | None:
    seconds = extensions.get("retry_after_s")
    return {"Retry-After": str(int(seconds))} if isinstance(seconds, int | float) else None


def domain_response(exc: DomainError, connection: HTTPConnection) -> JSONResponse:
    """A user's error as an HTTP answer (a request's, or a WebSocket handshake's refusal)."""
    return JSONResponse(domain_problem(exc, connection.url.path), status_code=exc.status, media_type=MEDIA_TYPE,
                        headers=_retry_headers(exc.extensions))


async def _domain(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    return domain_response(exc, request)


async def _http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        headers["Allow"] = ", ".join(_allowed(request))
    return problem(exc.status_code, _SLUGS.get(exc.status_code, "http-error"), str(exc.detail),
                   str(exc.detail), request, headers=headers)


def api_routes(app: FastAPI) -> list[APIRoute]:
    """Every API route of `app`, including those of included routers."""
    contexts = getattr(fastapi.routing, "iter_route_contexts", None)  # FastAPI ≥ 0.160 nests included routers
    found = [context.original_route for context in contexts(app.routes)] if contexts else list(app.routes)
    return [route for route in found if isinstance(route, APIRoute)]


def _allowed(request: Request) -> list[str]:
    # Starlette names the methods of the first route on the path only; a path served by several
    # routes (GET and POST declared apart) allows all of theirs.
    methods: set[str] = set()
    for route in api_routes(request.app):
        if route.path_regex.match(request.url.path):
            methods |= route.methods or set()
    return sorted(methods)


def is_unstorable_value(exc: BaseException) -> bool:
    """Whether the database refused a value as such: a date beyond its range, a number too large."""
    return any(isinstance(cause, _UNSTORABLE) for cause in causes(exc))


def takes_idempotency_key(request: Request) -> bool:
    """Whether the matched route is a write that honours an Idempotency-Key header."""
    route = request.scope.get("route")
    if request.method in ("GET", "HEAD", "OPTIONS") or not isinstance(route, APIRoute):
        return False
    return has_header(route.dependant, "idempotency-key")


def has_header(dependant: Dependant, name: str) -> bool:
    """Whether the route's dependencies read header `name` (lower case), at any depth."""
    return any((p.alias or p.name).lower().replace("_", "-") == name for p in dependant.header_params) or any(
        has_header(sub, name) for sub in dependant.dependencies)


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    retry = " Retrying with the same Idempotency-Key is safe." if takes_idempotency_key(request) else ""
    if is_transient(exc):
        log.warning("database unavailable on %s %s: %s", request.method, request.url.path, type(exc).__name__)
        return problem(503, "unavailable", "Service unavailable",
                       f"The database is unavailable or busy; try again in a few seconds.{retry}", request,
                       headers={"Retry-After": str(RETRY_AFTER_S)}, retry_after_s=RETRY_AFTER_S)
    if is_unstorable_value(exc):
        log.warning("unstorable value on %s %s: %s", request.method, request.url.path, type(exc).__name__)
        return problem(422, "invalid-request", "Invalid request",
                       "a value in the request is outside what can be stored (a date before year 1 or after "
                       "9999 in UTC, a number too large, or text the database refuses)", request)
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return problem(500, "internal-error", "Internal error", "The server failed unexpectedly." + retry, request)


def install_problem_handlers(app: FastAPI) -> None:
    """Map validation, domain, HTTP and unexpected errors to problem+json."""
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(DomainError, _domain)
    app.add_exception_handler(StarletteHTTPException, _http)
    # Database and network errors get a handler of their own: answered here, the exception
    # stops (the catch-all below answers too, then re-raises it to the server).
    for kind in (sa.SQLAlchemyError, pg.PostgresError, pg.InterfaceError, ConnectionError, TimeoutError):
        app.add_exception_handler(kind, _unexpected)
    app.add_exception_handler(Exception, _unexpected)
