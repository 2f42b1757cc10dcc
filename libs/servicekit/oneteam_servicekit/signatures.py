"""Signed calls from other platforms: HMAC-SHA256 over the timestamp and the body, within a window.

One scheme for every service, so a platform integrates with OneTeam once (intake's platform
pushes, case_penalty's payment callbacks). The caller sends `X-OneTeam-Timestamp: <unix
seconds>` and `X-OneTeam-Signature: sha256=<hex of HMAC-SHA256(key, timestamp + "." + body)>`.
Binding the timestamp into the MAC stops an old body being replayed with a fresh timestamp; the
window bounds how long a captured request stays usable (a service that must refuse every
replay also remembers the signatures it has seen inside the window).
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta

from oneteam_servicekit.errors import Unauthorized
from oneteam_servicekit.text import constant_time_equals


class BadSignature(Unauthorized):
    """The call is not signed by the platform's key, or its timestamp is out of the window."""

    type = "bad-signature"
    title = "Signature rejected"


def sign(key: bytes, timestamp: str, body: bytes) -> str:
    """The signature header value for `body` sent at `timestamp` (unix seconds as text)."""
    mac = hmac.new(key, timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={mac}"


def verify(key: bytes, timestamp: str | None, signature: str | None, body: bytes, *,
           now: datetime, window: timedelta) -> None:
    """Accept a correctly signed call whose timestamp is within `window` of `now`."""
    if not timestamp or not signature:
        raise BadSignature("X-OneTeam-Timestamp and X-OneTeam-Signature headers are required")
    try:
        sent = int(timestamp)
    except ValueError:
        raise BadSignature("X-OneTeam-Timestamp must be unix seconds") from None
    if abs(now.timestamp() - sent) > window.total_seconds():
        raise BadSignature(f"timestamp is more than {int(window.total_seconds())} s from the server's clock")
    if not constant_time_equals(signature.strip(), sign(key, timestamp, body)):
        raise BadSignature("signature does not match the body and timestamp")
