"""The tamper-evident trail (检察监督): every transition appended, each entry hashing the one before.

Editing, deleting or reordering any entry breaks the chain from that entry on, and `verify`
names the first entry that no longer fits.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

GENESIS = "0" * 64


@dataclass(frozen=True)
class Entry:
    """One recorded step of a case."""

    seq: int
    case_id: str
    action: str
    actor: str
    at: datetime
    detail: dict[str, Any]
    prev_hash: str
    hash: str


def digest(seq: int, case_id: str, action: str, actor: str, at: datetime, detail: dict[str, Any],
           prev_hash: str) -> str:
    """The hash of an entry's content and its predecessor's hash."""
    body = json.dumps({"seq": seq, "case_id": case_id, "action": action, "actor": actor, "at": at.isoformat(),
                       "detail": detail, "prev": prev_hash}, sort_keys=True, ensure_ascii=False,
                      separators=(",", ":"), default=str)
    return hashlib.sha256(body.encode()).hexdigest()


def chain(prev: Entry | None, case_id: str, action: str, actor: str, at: datetime,
          detail: dict[str, Any]) -> Entry:
    """The entry that follows `prev` (None for the first of the trail)."""
    seq = prev.seq + 1 if prev else 1
    prev_hash = prev.hash if prev else GENESIS
    return Entry(seq, case_id, action, actor, at, detail, prev_hash,
                 digest(seq, case_id, action, actor, at, detail, prev_hash))


def verify(entries: list[Entry]) -> int | None:
    """The seq of the first entry that breaks the chain, or None when the whole trail holds."""
    prev_hash, expected = GENESIS, 1
    for e in entries:
        if e.seq != expected or e.prev_hash != prev_hash or e.hash != digest(
                e.seq, e.case_id, e.action, e.actor, e.at, e.detail, e.prev_hash):
            return e.seq
        prev_hash, expected = e.hash, expected + 1
    return None
