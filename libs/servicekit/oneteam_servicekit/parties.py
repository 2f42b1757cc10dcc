"""Parties' identifiers and contacts, handled the same way by every service that keeps them.

The citizen ID number (GB 11643, 18 characters, the last a checksum that may be X) and the
unified social credit code (GB 32100, 18 characters, the last a checksum) are validated with
python-stdnum. A service keeps only an HMAC of the normalised number, so the same party is
found again (a first violation, a conflict of interest) without the number being stored in
clear; names and phones are shown masked to roles without the need to know.
"""

from __future__ import annotations

import hashlib
import hmac

from stdnum.cn import ric, uscc
from stdnum.exceptions import ValidationError

from oneteam_servicekit.errors import InvalidRequest

PERSON = "person"  # any other kind is an organisation


def normalise(kind: str, number: str, *, field: str = "party.identifier") -> str:
    """The validated, compact form of an ID number or credit code; refused with a plain reason if invalid."""
    person = kind == PERSON
    module = ric if person else uscc
    what = "citizen ID number (GB 11643)" if person else "unified social credit code (GB 32100)"
    try:
        return str(module.validate(number))
    except ValidationError as error:
        # The message never echoes the number: error bodies end up in logs.
        raise InvalidRequest(f"not a valid {what}: {error}", field=field) from None


def party_ref(key: bytes, kind: str, number: str, *, field: str = "party.identifier") -> str:
    """The keyed hash that stands for the party: same number, same reference; useless without the key."""
    compact = normalise(kind, number, field=field).upper()
    return hmac.new(key, f"{kind}:{compact}".encode(), hashlib.sha256).hexdigest()


def mask_contact(contact: dict[str, str]) -> dict[str, str]:
    """Contact details as roles without the need to know see them: a phone's last 4 digits, a name's first character."""
    masked: dict[str, str] = {}
    for name, value in contact.items():
        if name == "phone":
            masked[name] = value[:3] + "****" + value[-4:] if len(value) >= 7 else "****"
        elif name == "name":
            masked[name] = value[:1] + "*" * max(1, len(value) - 1)
        else:
            masked[name] = "***"
    return masked
