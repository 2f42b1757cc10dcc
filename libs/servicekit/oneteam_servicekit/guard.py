"""The guard in front of every route: body size, JSON syntax, and characters no text may hold.

Checked once here, before any route runs, so every service refuses the same input the same
way: 413 beyond the size limit (JSON and forms have a small one, uploads a larger one), 422
naming the line and column of broken JSON, and 422 naming the field (body, form, query or
path) that holds a NUL or another control character, which PostgreSQL would otherwise turn
into a 500.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl

from fastapi import HTTPException
from pydantic_core import from_json
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from oneteam_servicekit.problems import MEDIA_TYPE, PROBLEM_BASE
from oneteam_servicekit.text import forbidden_character

_BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class Refusal(Exception):
    """Input refused before it reached a route."""

    def __init__(self, status: int, type_: str, title: str, detail: str,
                 errors: list[dict[str, str]] | None = None) -> None:
        super().__init__(detail)
        self.status, self.type, self.title, self.detail, self.errors = status, type_, title, detail, errors


def invalid(field: str, reason: str) -> Refusal:
    """A 422 naming `field`, shaped like the validation errors of the routes themselves."""
    return Refusal(422, "validation-error", "Invalid input", f"{field}: {reason}",
                   [{"field": field, "reason": reason}])


def too_large(limit: int) -> Refusal:
    """A 413 naming the limit."""
    return Refusal(413, "too-large", "Payload too large", f"the request body may be at most {limit} bytes")


class InputGuard:
    """ASGI middleware applying the checks above to every HTTP request."""

    def __init__(self, app: ASGIApp, *, max_json_bytes: int, max_upload_bytes: int) -> None:
        self.app = app
        self.max_json_bytes = max_json_bytes
        self.max_upload_bytes = max_upload_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        content_type = headers.get("content-type", "").split(";")[0].strip().lower()
        textual = _is_json(content_type) or content_type == "application/x-www-form-urlencoded"
        limit = self.max_json_bytes if textual else self.max_upload_bytes
        try:
            _check_url(scope)
            declared = headers.get("content-length", "")
            if declared.isdigit() and int(declared) > limit:
                raise too_large(limit)
            if not (textual and scope["method"] in _BODY_METHODS):
                await self.app(scope, _counting(receive, limit), send)
                return
            body = await _read(receive, limit)
            if _is_json(content_type):
                _check_json(body)
            else:
                _check_form(body)
        except Refusal as refusal:
            await _send_problem(send, scope, refusal)
            return
        await self.app(scope, _replay(body, receive), send)


def _is_json(content_type: str) -> bool:
    return content_type == "application/json" or (content_type.startswith("application/")
                                                   and content_type.endswith("+json"))


def _check_url(scope: Scope) -> None:
    reason = forbidden_character(scope["path"])
    if reason is not None:
        raise invalid("path", reason)
    for name, value in parse_qsl(scope["query_string"].decode("latin-1"), keep_blank_values=True):
        reason = forbidden_character(name) or forbidden_character(value)
        if reason is not None:
            raise invalid(name if not forbidden_character(name) else "query", reason)


def _check_json(body: bytes) -> None:
    if not body.strip():
        return  # the route says what is missing
    try:
        # pydantic's parser first (half of json.loads's time, on every JSON request); anything it
        # refuses goes to json.loads, whose answer (and error, with line and column) decides.
        document = from_json(body)
    except ValueError:
        document = _loaded(body)
    for field, text in _strings(document):
        reason = forbidden_character(text)
        if reason is not None:
            raise invalid(field or "body", reason)


def _loaded(body: bytes) -> Any:
    try:
        return json.loads(body)
    except json.JSONDecodeError as error:
        raise invalid("body", f"invalid JSON at line {error.lineno}, column {error.colno}: {error.msg}") from None
    except UnicodeDecodeError:
        raise invalid("body", "JSON must be UTF-8 text") from None
    except RecursionError:
        raise invalid("body", "JSON is nested too deeply") from None


def _check_form(body: bytes) -> None:
    try:
        fields = parse_qsl(body.decode("utf-8"), keep_blank_values=True)
    except UnicodeDecodeError:
        raise invalid("body", "form fields must be UTF-8 text") from None
    for name, value in fields:
        reason = forbidden_character(name) or forbidden_character(value)
        if reason is not None:
            raise invalid(name if not forbidden_character(name) else "body", reason)


def _strings(document: Any) -> Iterator[tuple[str, str]]:
    # Iterative, so a deeply nested document cannot exhaust the stack; a key is checked as its field.
    stack: list[tuple[str, Any]] = [("", document)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, str):
            yield path, value
        elif isinstance(value, dict):
            for key, item in value.items():
                child = f"{path}.{key}" if path else str(key)
                yield child, key
                stack.append((child, item))
        elif isinstance(value, list):
            stack.extend((f"{path}.{index}" if path else str(index), item) for index, item in enumerate(value))


async def _read(receive: Receive, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise too_large(limit)
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()  # afterwards: the disconnect a streaming response waits for

    return replay


def _counting(receive: Receive, limit: int) -> Receive:
    # Uploads stream through; a body without Content-Length that grows past the limit is cut here.
    size = 0

    async def counting() -> Message:
        nonlocal size
        message = await receive()
        if message["type"] == "http.request":
            size += len(message.get("body", b""))
            if size > limit:
                raise HTTPException(413, f"the request body may be at most {limit} bytes")
        return message

    return counting


async def _send_problem(send: Send, scope: Scope, refusal: Refusal) -> None:
    body: dict[str, Any] = {"type": PROBLEM_BASE + refusal.type, "title": refusal.title, "status": refusal.status,
                            "detail": refusal.detail, "instance": scope["path"]}
    if refusal.errors:
        body["errors"] = refusal.errors
    payload = json.dumps(body, ensure_ascii=False).encode()
    await send({"type": "http.response.start", "status": refusal.status,
                "headers": [(b"content-type", MEDIA_TYPE.encode()), (b"content-length", str(len(payload)).encode())]})
    await send({"type": "http.response.body", "body": payload})
