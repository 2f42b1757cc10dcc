"""The one error vocabulary of OneTeam's domains; mapped to problem+json once, in `problems`.

Plain Python on purpose: domain modules raise these without importing any web framework.
"""

from typing import Any, ClassVar


class DomainError(Exception):
    """Base of every error a user can cause; `type` is a stable slug, `status` the HTTP code."""

    type: ClassVar[str] = "domain-error"
    title: ClassVar[str] = "Request cannot be completed"
    status: ClassVar[int] = 400

    def __init__(self, detail: str, **extensions: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extensions = extensions


class NotFound(DomainError):
    """The named thing does not exist (or is not visible to the caller)."""

    type = "not-found"
    title = "Not found"
    status = 404


class Conflict(DomainError):
    """The request clashes with the current state."""

    type = "conflict"
    title = "Conflict with current state"
    status = 409


class InvalidRequest(DomainError):
    """Well-formed input that breaks a rule."""

    type = "invalid-request"
    title = "Invalid request"
    status = 422


class Unauthorized(DomainError):
    """No or bad credentials."""

    type = "unauthorized"
    title = "Authentication required"
    status = 401


class Forbidden(DomainError):
    """Authenticated, but not allowed to do this."""

    type = "forbidden"
    title = "Not allowed"
    status = 403


class TooLarge(DomainError):
    """More input than the service takes in one go (HTTP bodies are refused earlier, by the guard)."""

    type = "too-large"
    title = "Payload too large"
    status = 413


class Unavailable(DomainError):
    """A dependency (database, broker) cannot serve now; the client should retry after a while."""

    type = "unavailable"
    title = "Service unavailable"
    status = 503

    def __init__(self, detail: str, retry_after_s: int = 2, **extensions: Any) -> None:
        super().__init__(detail, retry_after_s=retry_after_s, **extensions)
