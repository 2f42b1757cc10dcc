"""The read model's tables as they are now: revision 0001's, plus 0002's departments of a case."""

from sqlalchemy import Column, MetaData
from sqlalchemy.dialects.postgresql import JSONB

from oneteam_evaluation.store import schema_0001 as first
from oneteam_evaluation.store.schema_0001 import incidents, mediations, members, orders, ratings, state

metadata = MetaData()
cases = first.cases.to_metadata(metadata)
cases.append_column(Column("departments", JSONB))

READ_MODEL = (incidents, orders, members, ratings, cases, mediations)

__all__ = ["READ_MODEL", "cases", "incidents", "mediations", "members", "metadata", "orders", "ratings", "state"]
