"""Dispatch service (应): incidents in, assignments out."""
