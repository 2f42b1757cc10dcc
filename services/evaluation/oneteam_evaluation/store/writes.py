"""Writing facts so that the order events arrive in does not matter.

Each column an event fills is merged with what is there by a rule that gives the same row
whichever event came first: the earliest or latest time, the authoritative event's value, or
the value of the event with the newest event time.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum
from typing import Any

from sqlalchemy import ColumnElement, Table, case, func, or_
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession


class Merge(Enum):
    """How a column's stored value meets an event's value."""

    OWN = "own"  # this event owns the column: its value wins (one such event per row)
    FILL = "fill"  # only fills a gap: the stored value wins
    LEAST = "least"  # the earliest time (PostgreSQL's LEAST ignores NULL)
    GREATEST = "greatest"  # the latest time, the highest count
    ANY = "any"  # a flag once true stays true


def _merged(table: Table, excluded: Any, column: str, rule: Merge | str) -> ColumnElement[Any]:
    old, new = table.c[column], excluded[column]
    if isinstance(rule, str):
        # Newest by event time: take the event's value when its time (column `rule`) is not older.
        stamp_old, stamp_new = table.c[rule], excluded[rule]
        return case((or_(stamp_old.is_(None), stamp_new >= stamp_old), new), else_=old)
    if rule is Merge.OWN:
        return func.coalesce(new, old)
    if rule is Merge.FILL:
        return func.coalesce(old, new)
    if rule is Merge.LEAST:
        return func.least(old, new)
    if rule is Merge.GREATEST:
        return func.greatest(old, new)
    return or_(old, new)


async def upsert(session: AsyncSession, table: Table, values: Mapping[str, Any],
                 rules: Mapping[str, Merge | str]) -> None:
    """Insert the row, or merge `values` into it column by column; key columns are not merged.

    A rule given as a column name means "newest by that time column"; the time column itself
    must then be merged by GREATEST, and is listed after the columns that depend on it.
    """
    keys = [c.name for c in table.primary_key.columns]
    statement = insert(table).values(**values)
    changes = {column: _merged(table, statement.excluded, column, rule)
               for column, rule in rules.items() if column in values and column not in keys}
    if changes:
        await session.execute(statement.on_conflict_do_update(index_elements=keys, set_=changes))
    else:
        await session.execute(statement.on_conflict_do_nothing(index_elements=keys))
