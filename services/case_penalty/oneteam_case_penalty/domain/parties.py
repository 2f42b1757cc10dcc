"""Parties (当事人) of a case: identifiers validated and hashed by the kit (`oneteam_servicekit.parties`),
so the same party is found again ("first violation" across departments) without the number in clear.
"""

from __future__ import annotations

from oneteam_servicekit.parties import mask_contact, normalise, party_ref

__all__ = ["mask", "mask_contact", "normalise", "party_ref"]


def mask(number: str) -> str:
    """An identifier as non-privileged roles see it: first 3 and last 2 characters."""
    return number[:3] + "*" * max(0, len(number) - 5) + number[-2:]
