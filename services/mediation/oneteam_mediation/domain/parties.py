"""Parties (当事人) to a dispute: persons or organisations, known here by a keyed hash.

The ID number or credit code is validated (python-stdnum) and kept only as an HMAC, so the
same person is recognised in two disputes (no double-booking, conflicts of interest) without
the number being stored. Names and phones live apart from the mediation and are masked for
roles without the need to know.
"""

from __future__ import annotations

import hashlib
import hmac
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field
from stdnum.cn import ric, uscc
from stdnum.exceptions import ValidationError

from oneteam_servicekit.errors import InvalidRequest


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


def party_ref(key: bytes, kind: PartyKind, identifier: str) -> str:
    """The keyed hash standing for the party; refused with a plain reason if the number is invalid."""
    module = ric if kind is PartyKind.PERSON else uscc
    try:
        compact = str(module.validate(identifier)).upper()
    except ValidationError as error:
        # Never echo the number: error bodies end up in logs.
        raise InvalidRequest(f"not a valid {'ID number' if kind is PartyKind.PERSON else 'credit code'}: {error}",
                             field="parties.identifier") from None
    return hmac.new(key, f"{kind.value}:{compact}".encode(), hashlib.sha256).hexdigest()


def mask_contact(contact: dict[str, str]) -> dict[str, str]:
    """Contact as roles without the need to know see it: a name's first character, a phone's last 4 digits."""
    masked: dict[str, str] = {}
    for field, value in contact.items():
        if field == "phone":
            masked[field] = value[:3] + "****" + value[-4:] if len(value) >= 7 else "****"
        elif field == "name":
            masked[field] = value[:1] + "*" * max(1, len(value) - 1)
        else:
            masked[field] = "***"
    return masked
