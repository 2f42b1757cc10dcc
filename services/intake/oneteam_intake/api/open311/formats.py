"""Open311's two formats (XML, which the standard requires, and JSON) and its error shape.

Element names are the standard's: a list is a root element with one child per item
(`<services><service>`, `<service_requests><request>`), a list inside an item repeats the
singular of its name (`<values><value>`), an absent value is an empty element.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable, Coroutine
from datetime import datetime
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.routing import APIRoute

from oneteam_servicekit.errors import DomainError, NotFound

FORMATS = {"xml": "text/xml; charset=utf-8", "json": "application/json"}
# Singular element names for lists whose name is not simply "<item>s".
_ITEMS = {"services": "service", "service_requests": "request", "errors": "error", "attributes": "attribute",
          "values": "value", "endpoints": "endpoint", "formats": "format"}


# For the OpenAPI document: errors a route answers come in the standard's list (JSON or XML);
# those the service kit's guard answers before any route (oversized or broken bodies) and a
# database outage stay problem+json, so both shapes are declared.
_ERRORS_JSON = {"type": "array", "items": {"type": "object", "required": ["code", "description"], "properties": {
    "code": {"type": "integer"}, "description": {"type": "string"}}}}
OPEN311_ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"description": why, "content": {
        "application/json": {"schema": _ERRORS_JSON},
        "text/xml": {"schema": {"type": "string", "description": "<errors><error><code/><description/>"}},
        "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}
    for code, why in {400: "Missing or invalid parameter", 401: "Invalid bearer token", 403: "Another tenant",
                      404: "Unknown jurisdiction, service, request or format", 409: "Idempotency-Key reused",
                      413: "Body or photo too large", 415: "Content-Type or photo type not accepted",
                      429: "Too many submissions; see Retry-After"}.items()}


def format_of(request: Request) -> str:
    """The format the client asked for by suffix (`.xml` / `.json`); no suffix means JSON."""
    fmt = str(request.path_params.get("fmt", "json")).lower()
    if fmt not in FORMATS:
        raise NotFound(f"format {fmt!r} is not offered; use .xml or .json")
    return fmt


def render(request: Request, root: str, document: Any, status: int = 200,
           headers: dict[str, str] | None = None) -> Response:
    """`document` (a list of items, or one object) in the requested format."""
    fmt = request.path_params.get("fmt", "json")
    if fmt != "xml":
        return JSONResponse(_plain(document), status_code=status, headers=headers)
    element = _element(root, document)
    body = ET.tostring(element, encoding="utf-8", xml_declaration=True)
    return Response(body, status_code=status, media_type=FORMATS["xml"], headers=headers)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def _element(name: str, value: Any) -> ET.Element:
    element = ET.Element(name)
    if isinstance(value, dict):
        for key, item in value.items():
            element.append(_element(key, item))
    elif isinstance(value, list | tuple):
        child = _ITEMS.get(name, name.removesuffix("s"))
        for item in value:
            element.append(_element(child, item))
    elif value is not None:
        element.text = _text(value)
    return element


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def error_response(request: Request, status: int, description: str,
                   headers: dict[str, str] | None = None) -> Response:
    """The standard's error list: `<errors><error><code/><description/></error></errors>`."""
    if str(request.path_params.get("fmt", "json")).lower() not in FORMATS:
        request.path_params["fmt"] = "json"
    return render(request, "errors", [{"code": status, "description": description}], status, headers)


class Open311Route(APIRoute):
    """A route whose errors leave in Open311's shape and format, not as problem+json.

    Input errors are 400 as the standard has it (OneTeam's own API says 422); the others keep
    their status (404, 409, 413, 415, 429 with Retry-After).
    """

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()

        async def open311_handler(request: Request) -> Response:
            try:
                return await handle(request)
            except RequestValidationError as error:
                reasons = [f"{'.'.join(str(p) for p in e['loc'] if p not in ('body', 'query', 'path'))}: {e['msg']}"
                           for e in error.errors()]
                return error_response(request, 400, "; ".join(reasons))
            except DomainError as error:
                status = 400 if error.status == 422 else error.status
                seconds = error.extensions.get("retry_after_s")
                headers = {"Retry-After": str(int(seconds))} if isinstance(seconds, int | float) else None
                return error_response(request, status, error.detail, headers)

        return open311_handler
