"""Case-penalty's tables as they are now: revision 0001's, unchanged so far."""

from oneteam_case_penalty.store.schema_0001 import cases, document_numbers, metadata, parties, trail, violations

__all__ = ["cases", "document_numbers", "metadata", "parties", "trail", "violations"]
