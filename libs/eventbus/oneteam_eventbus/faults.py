"""Which failures are the infrastructure's (wait and retry) and which are the request's or message's own.

A database that refuses connections for a minute, a broker leader that moves, a deadlock, a
pool with nothing to lend: none of these says anything about the event being handled or the
request being served, so the consumer pauses and retries instead of dead-lettering, and the
HTTP edge answers 503 with Retry-After instead of 500. Everything else (unreadable payloads,
validation errors, bugs, constraint violations) is not cured by waiting.
"""

from __future__ import annotations

import asyncpg.exceptions as pg
from aiokafka.errors import KafkaConnectionError, KafkaError, KafkaTimeoutError
from sqlalchemy import exc as sa

# SQLSTATE classes that mean "the server is unavailable or asked us to retry":
# 08 connection exception, 53 insufficient resources, 57P operator intervention
# (shutdown, "cannot connect now" while starting), 40001 serialization, 40P01 deadlock.
_TRANSIENT_SQLSTATES = ("08", "53", "57P", "40001", "40P01")

_TRANSIENT_TYPES: tuple[type[BaseException], ...] = (
    # OSError covers refused and reset connections, timeouts, failed name lookups, and the
    # plain "Multiple exceptions: [Errno 111] …" asyncio raises when every address refuses.
    OSError,
    sa.TimeoutError,  # the connection pool had nothing to lend
    sa.DisconnectionError,
    pg.PostgresConnectionError, pg.OperatorInterventionError, pg.InsufficientResourcesError,
    pg.TransactionRollbackError,
    KafkaConnectionError, KafkaTimeoutError,
)


def causes(error: BaseException) -> list[BaseException]:
    """`error` and everything behind it: causes, contexts, and the driver's error SQLAlchemy wraps as `orig`."""
    found: list[BaseException] = []
    pending: list[BaseException | None] = [error]
    while pending:
        current = pending.pop()
        if current is None or any(current is seen for seen in found):
            continue
        found.append(current)
        orig = getattr(current, "orig", None)
        pending += [current.__cause__, current.__context__, orig if isinstance(orig, BaseException) else None]
    return found


def is_transient(error: BaseException) -> bool:
    """Whether `error` (or what caused it) is an outage or overload that waiting will cure."""
    return any(_transient_here(cause) for cause in causes(error))


def _transient_here(error: BaseException) -> bool:
    if isinstance(error, _TRANSIENT_TYPES):
        return True
    if isinstance(error, sa.DBAPIError) and error.connection_invalidated:
        return True
    if isinstance(error, KafkaError) and getattr(error, "retriable", False):
        return True
    sqlstate = getattr(error, "sqlstate", None) or getattr(error, "pgcode", None)
    return isinstance(sqlstate, str) and sqlstate.startswith(_TRANSIENT_SQLSTATES)
