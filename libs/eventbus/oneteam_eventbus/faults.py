"""Which failures are the infrastructure's (wait and retry) and which are the message's (dead-letter).

A database that refuses connections for a minute, a broker leader that moves, a deadlock:
none of these says anything about the event being handled, so sending it to the dead-letter
topic would lose good work. Everything else (unreadable payloads, validation errors, handler
bugs, constraint violations) is the message's own problem and is not cured by waiting.
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
    ConnectionError, TimeoutError, OSError,
    sa.TimeoutError,  # the connection pool had nothing to lend
    pg.PostgresConnectionError, pg.OperatorInterventionError, pg.InsufficientResourcesError,
    pg.SerializationError, pg.DeadlockDetectedError, pg.InterfaceError,
    KafkaConnectionError, KafkaTimeoutError,
)


def is_transient(error: BaseException) -> bool:
    """Whether `error` (or what caused it) is an outage that waiting will cure."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if _transient_here(current):
            return True
        orig = getattr(current, "orig", None)
        current = orig if isinstance(orig, BaseException) and id(orig) not in seen else (
            current.__cause__ or current.__context__)
    return False


def _transient_here(error: BaseException) -> bool:
    if isinstance(error, _TRANSIENT_TYPES):
        return True
    if isinstance(error, sa.DBAPIError) and error.connection_invalidated:
        return True
    if isinstance(error, KafkaError) and getattr(error, "retriable", False):
        return True
    sqlstate = getattr(error, "sqlstate", None) or getattr(error, "pgcode", None)
    return isinstance(sqlstate, str) and sqlstate.startswith(_TRANSIENT_SQLSTATES)
