"""Parties (当事人): identifiers validated by their checksums, kept only as a keyed hash.

The citizen ID number (GB 11643, 18 characters, last one a checksum that may be X) and the
unified social credit code (GB 32100, 18 characters, last one a checksum) are validated with
python-stdnum. The service keeps an HMAC of the normalised number, so the same party is found
again ("first violation" across departments) without the number being stored in clear.
"""

from __future__ import annotations

import hashlib
import hmac

from stdnum.cn import ric, uscc
from stdnum.exceptions import ValidationError

from oneteam_case_penalty.domain.decisions import PartyKind
from oneteam_servicekit.errors import InvalidRequest


def normalise(kind: PartyKind, number: str) -> str:
    """The validated, compact form of an ID number or credit code; refused with a plain reason if invalid."""
    module = ric if kind is PartyKind.PERSON else uscc
    what = "citizen ID number (GB 11643)" if kind is PartyKind.PERSON else "unified social credit code (GB 32100)"
    try:
        return str(module.validate(number))
    except ValidationError as error:
        # The message never echoes the number: error bodies end up in logs.
        raise InvalidRequest(f"not a valid {what}: {error}", field="party.identifier") from None


def party_ref(key: bytes, kind: PartyKind, number: str) -> str:
    """The keyed hash that stands for the party: same number, same reference; useless without the key."""
    compact = normalise(kind, number).upper()
    return hmac.new(key, f"{kind.value}:{compact}".encode(), hashlib.sha256).hexdigest()


def mask(number: str) -> str:
    """An identifier as non-privileged roles see it: first 3 and last 2 characters."""
    return number[:3] + "*" * max(0, len(number) - 5) + number[-2:]


def mask_contact(contact: dict[str, str]) -> dict[str, str]:
    """Contact details as roles without the need to know see them: a phone's last 4 digits, a name's first character."""
    masked = {}
    for field, value in contact.items():
        if field == "phone":
            masked[field] = value[:3] + "****" + value[-4:] if len(value) >= 7 else "****"
        elif field == "name":
            masked[field] = value[:1] + "*" * max(1, len(value) - 1)
        else:
            masked[field] = "***"
    return masked
