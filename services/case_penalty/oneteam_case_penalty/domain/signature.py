"""Payment-platform callbacks: HMAC-SHA256 over the timestamp and the body, within a window.

The same scheme as intake's platform pushes (``X-OneTeam-Timestamp``, ``X-OneTeam-Signature:
sha256=<hex>``), so a platform integrates with OneTeam once. Kept here rather than imported:
services share contracts, not code; the lead may move both into the kit.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta

from oneteam_servicekit.errors import Unauthorized


class BadSignature(Unauthorized):
    """The callback is not signed by the platform's key, or its timestamp is out of the window."""

    type = "bad-signature"
    title = "Signature rejected"


def sign(key: bytes, timestamp: str, body: bytes) -> str:
    """The signature header value for `body` sent at `timestamp` (unix seconds as text)."""
    return "sha256=" + hmac.new(key, timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def verify(key: bytes, timestamp: str | None, signature: str | None, body: bytes, *, now: datetime,
           window: timedelta) -> None:
    """Accept a correctly signed callback whose timestamp is within `window` of `now`."""
    if not timestamp or not signature:
        raise BadSignature("X-OneTeam-Timestamp and X-OneTeam-Signature headers are required")
    try:
        sent = int(timestamp)
    except ValueError:
        raise BadSignature("X-OneTeam-Timestamp must be unix seconds") from None
    if abs(now.timestamp() - sent) > window.total_seconds():
        raise BadSignature(f"timestamp is more than {int(window.total_seconds())} s from the server's clock")
    if not hmac.compare_digest(sign(key, timestamp, body), signature.strip()):
        raise BadSignature("signature does not match the body and timestamp")
