"""Text checks every edge shares, in plain Python so domain modules may use them too."""

from __future__ import annotations

import hmac
import re

# NUL is refused by PostgreSQL's text type (a 500 deep in the store); the other C0 controls,
# DEL and lone surrogates (which UTF-8 cannot encode) have no business in anything a person
# typed either. Tab, line feed and carriage return stay: descriptions have lines.
_FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def forbidden_character(text: str) -> str | None:
    """A description of the first character no text field may hold, or None."""
    found = _FORBIDDEN.search(text)
    if found is None:
        return None
    return f"contains the control character U+{ord(found.group()):04X} at position {found.start()}"


def constant_time_equals(given: str | bytes, expected: str | bytes) -> bool:
    """Compare a secret without leaking where it differs; any text is accepted, not only ASCII."""
    left = given.encode("utf-8", "surrogatepass") if isinstance(given, str) else given
    right = expected.encode("utf-8", "surrogatepass") if isinstance(expected, str) else expected
    return hmac.compare_digest(left, right)
