"""The OpenAPI document tells the truth about errors: every operation lists the problems it can answer.

Routes declare their success responses; what every route shares — the guard's 413/415/422,
the token's 401/403, a missing resource's 404, a busy database's 503 — is added here from what
the kit knows of each route, as `application/problem+json` with one `Problem` schema.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute

from oneteam_servicekit.problems import MEDIA_TYPE, api_routes

PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "title": "Problem",
    "description": "RFC 9457 problem details; `errors` names each invalid field",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string", "format": "uri"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "errors": {"type": "array", "items": {
            "type": "object", "required": ["field", "reason"],
            "properties": {"field": {"type": "string"}, "reason": {"type": "string"}}}},
    },
    "additionalProperties": True,
}
_WHY = {
    400: "Malformed request (e.g. an unreadable multipart body)",
    401: "No valid bearer token (or status token) where one is needed",
    403: "The token's roles or tenant do not allow this",
    404: "Not found, or not visible to the caller",
    409: "Conflicts with the current state",
    413: "Request body larger than the limit",
    415: "Content-Type not accepted",
    422: "Invalid input; `errors` names each field",
    429: "Too many requests; see Retry-After",
    503: "A dependency is down or saturated; see Retry-After",
}
_RETRY_AFTER = {"Retry-After": {"description": "seconds to wait", "schema": {"type": "integer"}}}
_WRITES = frozenset({"post", "put", "patch", "delete"})


def _token_use(dependant: Dependant) -> str | None:
    # "required" when a role is demanded (require(...)), "optional" when a token is only read.
    found: str | None = None
    for sub in dependant.dependencies:
        name = getattr(sub.call, "__qualname__", "")
        if name.startswith("require."):
            return "required"
        if name == "optional_principal":
            found = "optional"
        found = _token_use(sub) or found
        if found == "required":
            return found
    return found


def _problems(method: str, route: APIRoute) -> set[int]:
    codes = {422, 503}
    token = _token_use(route.dependant)
    if token is not None:
        codes |= {401, 403}
    if "{" in route.path_format or token is not None:
        codes.add(404)
    if method in _WRITES:
        codes |= {400, 409, 413, 415, 429}
    return codes


def problem_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """`responses=` for a route that answers problems the kit cannot see, e.g. 401 from a signature check."""
    return {code: _response(code) for code in codes}


def _response(code: int, content: dict[str, Any] | None = None) -> dict[str, Any]:
    answer: dict[str, Any] = {"description": _WHY[code],
                              "content": content or {MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}}
    if code in (429, 503):
        answer["headers"] = _RETRY_AFTER
    return answer


def _fastapis_422(response: dict[str, Any]) -> bool:
    # FastAPI documents every 422 as its HTTPValidationError; the kit's handler answers a Problem.
    return "HTTPValidationError" in str(response.get("content", ""))


def document(app: FastAPI) -> dict[str, Any]:
    """The app's OpenAPI document with problem responses and the bearer scheme."""
    if app.openapi_schema:
        return app.openapi_schema
    spec = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
    components = spec.setdefault("components", {})
    components.setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    for unused in ("HTTPValidationError", "ValidationError"):
        components["schemas"].pop(unused, None)
    components["securitySchemes"] = {"bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}}
    for route in api_routes(app):
        if not route.include_in_schema:
            continue
        for method in route.methods or ():
            operation = spec["paths"].get(route.path_format, {}).get(method.lower())
            if operation is None:
                continue
            responses = operation.setdefault("responses", {})
            # A route class with an error format of its own (Open311's) names it as `problem_content`.
            content = getattr(route, "problem_content", None)
            for code in _problems(method.lower(), route):
                if str(code) not in responses or _fastapis_422(responses[str(code)]):
                    responses[str(code)] = _response(code, content)
            token = _token_use(route.dependant)
            if token is not None:
                operation["security"] = [{"bearer": []}] if token == "required" else [{"bearer": []}, {}]
    app.openapi_schema = spec
    return spec
