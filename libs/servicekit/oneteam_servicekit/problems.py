"""Every error leaves as `application/problem+json` (RFC 9457) with a stable `type`."""

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from oneteam_servicekit.errors import DomainError

log = logging.getLogger(__name__)

PROBLEM_BASE = "https://oneteam.example/problems/"
MEDIA_TYPE = "application/problem+json"


def problem(status: int, type_: str, title: str, detail: str, request: Request,
            **extensions: Any) -> JSONResponse:
    """Build one problem response."""
    body = {"type": PROBLEM_BASE + type_, "title": title, "status": status, "detail": detail,
            "instance": request.url.path, **extensions}
    return JSONResponse(body, status_code=status, media_type=MEDIA_TYPE)


def _field(loc: tuple[Any, ...]) -> str:
    # ("body", "location", "lat") → "location.lat": the part a client author recognises.
    parts = [str(part) for part in loc if part not in ("body", "query", "path", "header")]
    return ".".join(parts) or ".".join(str(part) for part in loc)


async def _validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [{"field": _field(tuple(e["loc"])), "reason": e["msg"]} for e in exc.errors()]
    detail = "; ".join(f"{e['field']}: {e['reason']}" for e in errors)
    return problem(422, "validation-error", "Invalid input", detail, request, errors=errors)


async def _domain(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    return problem(exc.status, exc.type, exc.title, exc.detail, request, **exc.extensions)


async def _http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    slug = {404: "not-found", 405: "method-not-allowed", 401: "unauthorized", 403: "forbidden"}
    return problem(exc.status_code, slug.get(exc.status_code, "http-error"), str(exc.detail),
                   str(exc.detail), request)


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return problem(500, "internal-error", "Internal error",
                   "The server failed; the request was not applied. Retrying with the same "
                   "Idempotency-Key is safe.", request)


def install_problem_handlers(app: FastAPI) -> None:
    """Map validation, domain, HTTP and unexpected errors to problem+json."""
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(DomainError, _domain)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(Exception, _unexpected)
