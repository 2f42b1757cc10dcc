"""SQLAlchemy 2.0 async engine and sessions, and writes sent together in one round trip."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from sqlalchemy import ColumnElement, Insert, Select, Table, any_, bindparam, literal, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.sql.dml import UpdateBase

from oneteam_eventbus.tables import outbox


def make_engine(url: str, *, pool_size: int = 30, max_overflow: int = 0,
                pool_timeout: float = 10) -> AsyncEngine:
    """An engine for a service's pool.

    No ping per checkout: it was a round trip on every request (about 5 % of intake's event
    loop under load) to guard against a rare database restart. Without it, the first statement
    on a connection that died fails as an outage (503, or a paused consumer that retries), and
    SQLAlchemy then discards every connection older than the failure, so one request per
    process meets the restart, not one per pooled connection.

    Statement values never reach an error message or the SQL log: they hold reporters' names
    and phones. A request waits `pool_timeout` s for a connection, then gets a 503.
    """
    return create_async_engine(url, pool_size=pool_size, max_overflow=max_overflow, pool_pre_ping=False,
                               pool_timeout=pool_timeout, hide_parameters=True)


def make_sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Session factory; objects stay readable after commit so handlers can build responses."""
    return async_sessionmaker(engine, expire_on_commit=False)


class Writes:
    """Inserts and updates staged during a use case and sent as one statement at its end.

    Each round trip to PostgreSQL costs the event loop and the database more than the row it
    carries; a report's incident, report, contact, outbox event and idempotency answer go as
    one statement of data-modifying CTEs instead of five. PostgreSQL runs such parts on one
    snapshot and checks foreign keys at the end of the statement, so only writes that nothing
    in between reads back, and that touch distinct rows, may be staged together.
    """

    def __init__(self) -> None:
        self._staged: list[UpdateBase] = []
        self._params: dict[str, Any] = {}
        self._prepared = True

    def add(self, statement: UpdateBase | Prepared | None) -> None:
        """Stage `statement` (None: nothing to write).

        A `Prepared` pair is a statement built once with named bind parameters, and its values.
        Writes made only of such pairs are combined once per shape and the combination reused:
        building a statement with its values and deriving its cache key was about a tenth of
        intake's CPU per report. Parameter names must differ between the staged statements: a clash
        is refused (ValueError).
        """
        if statement is None:
            return
        if isinstance(statement, tuple):
            # One statement's values would silently become another's: a staging bug, never input.
            clash = self._params.keys() & statement[1].keys()
            if clash:
                raise ValueError(f"parameters staged twice in one Writes: {sorted(clash)}")
            self._staged.append(statement[0])
            self._params.update(statement[1])
        else:
            self._staged.append(statement)
            self._prepared = False

    async def run(self, session: AsyncSession) -> None:
        """Send what is staged, in the session's transaction, and start afresh."""
        staged, params, prepared = self._staged, self._params, self._prepared
        self._staged, self._params, self._prepared = [], {}, True
        if len(staged) == 1:
            await session.execute(staged[0], params)
        elif staged:
            together = _together(tuple(staged)) if prepared else _combine(tuple(staged))
            await session.execute(together, params)


Prepared = tuple[UpdateBase, Mapping[str, Any]]


def _combine(parts: tuple[UpdateBase, ...]) -> Select[Any]:
    return select(literal(1)).add_cte(*(part.cte(f"write_{n}") for n, part in enumerate(parts)))


# Keyed by the statements' identities: only statements built once (Prepared) come here.
_together = lru_cache(maxsize=256)(_combine)


def insert_all(table: Table, prefix: str, *, skip: tuple[str, ...] = ()) -> Insert:
    """INSERT of every column but `skip`, each value a parameter named `prefix` + column: a
    statement to build once, at import, for `Prepared` pairs."""
    return table.insert().values({column.name: bindparam(prefix + column.name, type_=column.type)
                                  for column in table.columns if column.name not in skip})


def one_of(column: ColumnElement[Any], name: str) -> ColumnElement[bool]:
    """`column = ANY(:name)`, the parameter a list of the column's values: one statement, built
    once, whatever the list's length (an IN list is a statement per length)."""
    return column == any_(bindparam(name, type_=ARRAY(column.type)))


def named(prefix: str, values: Mapping[str, Any]) -> dict[str, Any]:
    """`values` under the parameter names `insert_all(..., prefix)` gave them."""
    return {prefix + name: value for name, value in values.items()}


def outbox_insertion(row: Mapping[str, Any], prefix: str = "event_") -> Prepared:
    """The outbox insert staging an event, built once, and its row's values (from `outbox_values`
    or `emitted_values` of `oneteam_eventbus.outbox`). Two events staged in one `Writes` need
    two prefixes."""
    return _outbox_insert(prefix), named(prefix, row)


@lru_cache(maxsize=16)
def _outbox_insert(prefix: str) -> Insert:
    return insert_all(outbox, prefix, skip=("seq", "created_at", "sent_at"))
