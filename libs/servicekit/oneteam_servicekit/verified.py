"""Tokens already verified, so a terminal posting a fix every few seconds is not re-verified each time.

Checking a token's signature and claims is a tenth of a position post's CPU (py-spy on
dispatch at 400 fixes/s). A verified token's caller is kept until the token expires, and at
most `hold_s` (a key the identity provider withdraws stops being honoured within that time);
keyed by the token and everything its verification depended on, so other settings (another
secret, issuer or audience) never reuse it. Failures are not kept: a bad token is checked
every time.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, Generic, TypeVar

T = TypeVar("T")


class Verified(Generic[T]):
    """A bounded map of verified tokens to their callers, each until its own deadline."""

    def __init__(self, hold_s: float = 60.0, size: int = 4096, clock: Callable[[], float] = time.monotonic) -> None:
        self._hold_s, self._size, self._clock = hold_s, size, clock
        self._found: OrderedDict[tuple[str, Any], tuple[T, float]] = OrderedDict()

    def get(self, token: str, context: Any) -> T | None:
        """The caller of a token verified under `context`, if it is still within its deadline."""
        hit = self._found.get((token, context))
        if hit is None:
            return None
        if self._clock() >= hit[1]:
            del self._found[(token, context)]
            return None
        return hit[0]

    def put(self, token: str, context: Any, caller: T, expires_in_s: float) -> None:
        """Keep `caller` for at most `expires_in_s` (the token's own remaining life) and `hold_s`."""
        self._found[(token, context)] = (caller, self._clock() + min(expires_in_s, self._hold_s))
        if len(self._found) > self._size:
            self._found.popitem(last=False)  # the oldest verified: a busy terminal's is verified again
