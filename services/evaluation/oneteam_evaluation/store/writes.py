"""Writing facts so that the order events arrive in does not matter.

Each column an event fills is merged with what is there by a rule that gives the same row
whichever event came first: the earliest or latest time, the authoritative event's value, or
the value of the event with the newest event time.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
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


def _merged_value(old: Mapping[str, Any], new: Mapping[str, Any], column: str, rule: Merge | str) -> Any:
    """What `_merged` makes of the column in the database, for two rows merged in memory."""
    before, after = old[column], new[column]
    if isinstance(rule, str):
        return after if old[rule] is None or (new[rule] is not None and new[rule] >= old[rule]) else before
    if rule is Merge.OWN:
        return before if after is None else after
    if rule is Merge.FILL:
        return after if before is None else before
    if rule is Merge.ANY:
        return True if True in (before, after) else None if None in (before, after) else False
    present = [v for v in (before, after) if v is not None]
    if not present:
        return None
    return min(present) if rule is Merge.LEAST else max(present)


@dataclass
class _Rows:
    """Rows for one table under one set of merge rules: one multi-row upsert, one row per key."""

    table: Table
    rules: dict[str, Merge | str]
    rows: dict[tuple[Any, ...], dict[str, Any]] = field(default_factory=dict)

    def add(self, values: Mapping[str, Any]) -> None:
        key = tuple(values[c.name] for c in self.table.primary_key.columns)
        old = self.rows.get(key)
        if old is None:
            self.rows[key] = dict(values)
            return
        # Every rule reads the stored row as it was, as the database's SET does.
        self.rows[key] = {**old, **{column: _merged_value(old, values, column, rule)
                                    for column, rule in self.rules.items()}}

    async def flush(self, session: AsyncSession) -> None:
        # In key order, so two transactions writing the same rows lock them in the same order.
        await session.execute(_upsert(self.table, tuple(self.rules.items())),
                              [self.rows[key] for key in sorted(self.rows)])


@functools.cache
def _upsert(table: Table, rules: tuple[tuple[str, Merge | str], ...]) -> Any:
    """The upsert of one table and rule set, built once (a consumer flushes each a few times a fetch)."""
    keys = [c.name for c in table.primary_key.columns]
    statement = insert(table)
    changes = {column: _merged(table, statement.excluded, column, rule) for column, rule in rules}
    return (statement.on_conflict_do_update(index_elements=keys, set_=changes) if changes
            else statement.on_conflict_do_nothing(index_elements=keys))


@dataclass
class Writes:
    """Facts to write, gathered from many events and written with one upsert per table and rule set.

    The in-memory merge follows the same rules as the database's, and both are
    order-independent, so a batch gives the rows one event at a time would.
    """

    _groups: dict[tuple[Any, ...], _Rows] = field(default_factory=dict)

    def upsert(self, table: Table, values: Mapping[str, Any], rules: Mapping[str, Merge | str]) -> None:
        """Insert the row, or merge `values` into it column by column; key columns are not merged.

        A rule given as a column name means "newest by that time column"; the time column itself
        must then be merged by GREATEST, and is listed after the columns that depend on it.
        """
        keys = {c.name for c in table.primary_key.columns}
        merged = {column: rule for column, rule in rules.items() if column in values and column not in keys}
        signature = (table.name, tuple(sorted(values)), tuple(sorted((c, str(r)) for c, r in merged.items())))
        group = self._groups.get(signature)
        if group is None:
            group = self._groups[signature] = _Rows(table, merged)
        group.add(values)

    async def flush(self, session: AsyncSession) -> None:
        """Write every gathered row, a table at a time in a fixed order, and forget them."""
        for signature in sorted(self._groups):
            await self._groups[signature].flush(session)
        self._groups.clear()
