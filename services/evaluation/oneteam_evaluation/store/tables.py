"""The read model's tables as they are now: revision 0001's, unchanged so far."""

from oneteam_evaluation.store.schema_0001 import (
    READ_MODEL,
    cases,
    incidents,
    mediations,
    members,
    metadata,
    orders,
    ratings,
    state,
)

__all__ = ["READ_MODEL", "cases", "incidents", "mediations", "members", "metadata", "orders", "ratings", "state"]
