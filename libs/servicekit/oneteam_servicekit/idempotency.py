"""Safe retries for writes from flaky mobile networks: the `Idempotency-Key` header.

The key is claimed inside the same transaction as the write. A retry after success gets the
stored response again; a retry racing the first attempt waits on the claim's row lock and
then replays; a failed first attempt rolls its claim back, so the retry runs afresh. Reusing
a key for a different request body is refused.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, func, select, update
from sqlalchemy.dialects.postgresql import JSONB, insert
from sqlalchemy.ext.asyncio import AsyncSession

from oneteam_servicekit.errors import InvalidRequest

kit_metadata = MetaData()

idempotency_keys = Table(
    "idempotency_keys",
    kit_metadata,
    Column("scope", String(200), primary_key=True),
    Column("key", String(200), primary_key=True),
    Column("request_hash", String(64), nullable=False),
    Column("status", Integer, nullable=True),
    Column("body", JSONB, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)


@dataclass(frozen=True)
class StoredResponse:
    """What the first attempt answered."""

    status: int
    body: Any


def request_hash(payload: Any) -> str:
    """A fingerprint of the request body, stable across key order."""
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


async def claim(session: AsyncSession, scope: str, key: str, fingerprint: str) -> StoredResponse | None:
    """Claim `key` for this request, or return the response of the attempt that claimed it first."""
    if not 1 <= len(key) <= 200:
        raise InvalidRequest("Idempotency-Key must be 1 to 200 characters")
    claimed = (await session.execute(
        insert(idempotency_keys)
        .values(scope=scope, key=key, request_hash=fingerprint)
        .on_conflict_do_nothing()
        .returning(idempotency_keys.c.key)
    )).first()
    if claimed is not None:
        return None
    row = (await session.execute(
        select(idempotency_keys).where(idempotency_keys.c.scope == scope, idempotency_keys.c.key == key)
    )).one()
    if row.request_hash != fingerprint:
        raise InvalidRequest(
            "Idempotency-Key was already used for a different request; use a new key for new content",
            field="Idempotency-Key",
        )
    assert row.status is not None, "a committed claim always has its response"
    return StoredResponse(row.status, row.body)


async def remember(session: AsyncSession, scope: str, key: str, status: int, body: Any) -> None:
    """Store the response of the claimed request, in the same transaction as the write."""
    await session.execute(
        update(idempotency_keys)
        .where(idempotency_keys.c.scope == scope, idempotency_keys.c.key == key)
        .values(status=status, body=body)
    )
