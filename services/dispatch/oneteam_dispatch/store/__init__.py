"""Dispatch's tables and queries, one module per concept.

``metadata`` is the schema of revision 0001 (which creates its tables from it); the live
definitions are in ``tables``.
"""

from oneteam_dispatch.store.initial import metadata

__all__ = ["metadata"]
