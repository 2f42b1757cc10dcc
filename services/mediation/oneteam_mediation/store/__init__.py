"""Mediation's tables and queries, one module per concept."""

from oneteam_mediation.store.tables import metadata

__all__ = ["metadata"]
