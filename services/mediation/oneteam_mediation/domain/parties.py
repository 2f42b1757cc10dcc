"""Parties (当事人) to a dispute: persons or organisations, known here by a keyed hash.

The ID number or credit code is validated and kept only as an HMAC (`oneteam_servicekit.parties`), so the
same person is recognised in two disputes (no double-booking, conflicts of interest) without
the number being stored. Names and phones live apart from the mediation and are masked for
roles without the need to know.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from oneteam_servicekit.parties import mask_contact, party_ref

__all__ = ["Consent", "Party", "PartyKind", "mask_contact", "party_ref"]


class PartyKind(StrEnum):
    """A person or an organisation."""

    PERSON = "person"
    ORGANISATION = "organisation"


class Consent(StrEnum):
    """A party's consent to mediation: people's mediation is voluntary (人民调解法 第三条)."""

    PENDING = "pending"
    GIVEN = "given"
    REFUSED = "refused"


class Party(BaseModel):
    """One party as the mediation keeps it: no name, no phone, no number."""

    model_config = ConfigDict(frozen=True)
    id: str = Field(description="p1, p2, ... within the mediation")
    kind: PartyKind
    ref: str | None = None  # keyed hash of the identifier, when one was given
    organisation: str | None = None  # an organisation party's credit code hash, for conflicts
    declared_ties: list[str] = Field(default_factory=list, description="Mediators the party is tied to")
    consent: Consent = Consent.PENDING
