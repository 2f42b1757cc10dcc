"""Statements built once at import, with named bind parameters (see `oneteam_servicekit.db.Writes`)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Insert, Table, bindparam


def insert_all(table: Table, prefix: str, *, skip: tuple[str, ...] = ()) -> Insert:
    """INSERT of every column but `skip`, each value a parameter named `prefix` + column."""
    return table.insert().values({column.name: bindparam(prefix + column.name, type_=column.type)
                                  for column in table.columns if column.name not in skip})


def named(prefix: str, values: dict[str, Any]) -> dict[str, Any]:
    """`values` under the parameter names `insert_all(..., prefix)` gave them."""
    return {prefix + name: value for name, value in values.items()}
