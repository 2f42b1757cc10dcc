"""Intake's tables and queries.

`metadata` here is the schema revision 0001 creates (its migration imports it by this name);
the current tables are in `store.tables`.
"""

from oneteam_intake.store.schema_0001 import metadata

__all__ = ["metadata"]
