"""The correlation id of the work in hand, carried across HTTP, events and logs."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

correlation_id: ContextVar[str | None] = ContextVar("correlation_id", default=None)


@contextmanager
def correlation_scope(value: str) -> Iterator[None]:
    """Set the correlation id for the code inside the block."""
    token = correlation_id.set(value)
    try:
        yield
    finally:
        correlation_id.reset(token)
