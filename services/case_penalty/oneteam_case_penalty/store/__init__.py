"""Case-penalty's tables and queries, one module per concept."""

from oneteam_case_penalty.store.tables import metadata

__all__ = ["metadata"]
