"""The reporter's status token: proof of having submitted a report, without an account.

Derived, not stored: HMAC(secret, report id). A retry of the submission gets the same token,
and the database holds nothing a leak could replay.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from uuid import UUID

from oneteam_servicekit.text import constant_time_equals


def report_token(secret: bytes, report_id: UUID) -> str:
    """The token handed to the reporter of `report_id`."""
    mac = hmac.new(secret, b"report:" + report_id.bytes, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac[:18]).decode()


def token_matches(secret: bytes, report_id: UUID, token: str) -> bool:
    """Whether `token` is the status token of `report_id` (constant-time)."""
    return constant_time_equals(token, report_token(secret, report_id))
