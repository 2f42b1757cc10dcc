"""Mediation's tables as they are now: revision 0001's, unchanged so far."""

from oneteam_mediation.store.schema_0001 import bookings, mediations, metadata, party_contacts

__all__ = ["bookings", "mediations", "metadata", "party_contacts"]
