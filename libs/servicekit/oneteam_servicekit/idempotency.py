"""Safe retries for writes from flaky mobile networks: the `Idempotency-Key` header.

A stored answer belongs to one route (`scope`), one caller and one key, so no caller with a
token can read another caller's answer by guessing or copying their key. The caller is the
token's subject. Anonymous callers cannot be told apart (addresses change as phones move
between networks), so they share one caller, `anonymous`, and the body decides: the same key
with another body is refused (422) and reveals nothing of the first answer; the same key with
the identical body replays the first answer and creates nothing new. Whoever can send that
identical body already knows everything the report said (description, place, contact); what
they gain is its status token. Reporters who want more than that sign in.

The key is claimed inside the same transaction as the write. A retry after success gets the
stored response again; a retry racing the first attempt waits on the claim's row lock and
then replays (rather than a 409: the client's retry gets its answer); a failed first attempt
rolls its claim back, so the retry runs afresh. A caller reusing a key for a different body
gets 422, as the IETF Idempotency-Key draft describes. Answers are purged after the retention
period (`idempotency_retention_hours`).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import (
    Column,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Update,
    bindparam,
    delete,
    func,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession, async_sessionmaker

from oneteam_servicekit.auth import Principal
from oneteam_servicekit.errors import InvalidRequest

log = logging.getLogger(__name__)

kit_metadata = MetaData()

idempotency_keys = Table(
    "idempotency_keys",
    kit_metadata,
    Column("scope", String(200), primary_key=True),
    Column("caller", String(200), primary_key=True),
    Column("key", String(200), primary_key=True),
    Column("request_hash", String(64), nullable=False),
    Column("status", Integer, nullable=True),
    Column("body", JSONB, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Index("idempotency_keys_created_at", "created_at"),
)

# Databases created before keys were tied to callers: existing answers get a caller nobody is,
# so they are never replayed to anyone and age out.
_UPGRADE = (
    "ALTER TABLE idempotency_keys ADD COLUMN IF NOT EXISTS caller varchar(200) NOT NULL DEFAULT 'legacy:'",
    "ALTER TABLE idempotency_keys ALTER COLUMN caller DROP DEFAULT",
    "ALTER TABLE idempotency_keys DROP CONSTRAINT IF EXISTS idempotency_keys_pkey",
    "ALTER TABLE idempotency_keys ADD PRIMARY KEY (scope, caller, key)",
)
_HAS_CALLER = text("SELECT count(*) FROM information_schema.columns WHERE table_schema = current_schema() "
                   "AND table_name = 'idempotency_keys' AND column_name = 'caller'")


@dataclass(frozen=True)
class StoredResponse:
    """What the first attempt answered."""

    status: int
    body: Any


def request_hash(payload: Any) -> str:
    """A fingerprint of the request body, stable across key order."""
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def caller_of(principal: Principal | None) -> str:
    """Whose keys these are: the token's subject (hashed: it is an identity), or `anonymous`."""
    if principal is not None:
        return "sub:" + hashlib.sha256(principal.subject.encode()).hexdigest()
    return "anonymous"


def _reused() -> InvalidRequest:
    return InvalidRequest("Idempotency-Key was already used for a different request; use a new key for new content",
                          field="Idempotency-Key")


async def claim(session: AsyncSession, scope: str, key: str, fingerprint: str, *,
                caller: str) -> StoredResponse | None:
    """Claim `key` for this caller's request, or return the answer of the attempt that claimed it first."""
    check_key(key)
    earlier = (await claim_many(session, scope, [(caller, key, fingerprint)])).get((caller, key))
    if isinstance(earlier, InvalidRequest):
        raise earlier
    return earlier


def check_key(key: str) -> None:
    """Refuse a key of the wrong length before anything is claimed."""
    if not 1 <= len(key) <= 200:
        raise InvalidRequest("Idempotency-Key must be 1 to 200 characters", field="Idempotency-Key")


# Several callers' keys of one scope in one round trip, inserted in key order: two transactions
# claiming overlapping keys then wait for each other in one order instead of deadlocking.
_CLAIM_MANY = text("""
INSERT INTO idempotency_keys (scope, caller, key, request_hash)
SELECT CAST(:scope AS text), k.caller, k.key, k.request_hash
FROM unnest(CAST(:callers AS text[]), CAST(:keys AS text[]), CAST(:hashes AS text[])) AS k(caller, key, request_hash)
ORDER BY k.caller, k.key
ON CONFLICT DO NOTHING RETURNING caller, key
""")
# One primary-key look-up per pair, whatever the statistics: a plain join of unnest() with the
# table was planned (generic plan, statistics of a young table) as a hash join over every key of
# the scope, 7 ms a call at 5 000 keys (pg_stat_statements).
_EARLIER = text("""
SELECT i.caller, i.key, i.request_hash, i.status, i.body
FROM unnest(CAST(:callers AS text[]), CAST(:keys AS text[])) AS k(caller, key)
CROSS JOIN LATERAL (SELECT * FROM idempotency_keys
                    WHERE scope = :scope AND caller = k.caller AND key = k.key LIMIT 1) AS i
""")


Earlier = dict[tuple[str, str], StoredResponse | InvalidRequest]


async def claim_many(session: AsyncSession, scope: str, requests: Sequence[tuple[str, str, str]]) -> Earlier:
    """`claim` for several requests at once: (caller, key, fingerprint), each (caller, key) once.

    Returns nothing for a request claimed now; for one claimed before, the first attempt's
    answer, or the error a different body with the same key gets. The read of earlier claims is
    a statement of its own: it sees what a claim it waited for committed.
    """
    if not requests:
        return {}
    values = {"scope": scope, "callers": [r[0] for r in requests], "keys": [r[1] for r in requests]}
    claimed = {(row.caller, row.key) for row in await session.execute(
        _CLAIM_MANY, {**values, "hashes": [r[2] for r in requests]})}
    if len(claimed) == len(requests):
        return {}
    rest = [r for r in requests if (r[0], r[1]) not in claimed]
    stored = {(row.caller, row.key): row for row in await session.execute(
        _EARLIER, {"scope": scope, "callers": [r[0] for r in rest], "keys": [r[1] for r in rest]})}
    earlier: Earlier = {}
    for caller, key, fingerprint in rest:
        row = stored[(caller, key)]
        if row.request_hash != fingerprint:
            earlier[(caller, key)] = _reused()
        else:
            assert row.status is not None, "a committed claim always has its response"
            earlier[(caller, key)] = StoredResponse(row.status, row.body)
    return earlier


# The claimed rows are found by primary key (see `_EARLIER`) and updated by their row address:
# they are this transaction's own, inserted by its claim, so nobody else can move them.
_ANSWER_MANY = text("""
UPDATE idempotency_keys AS i SET status = hit.status, body = CAST(hit.body AS jsonb)
FROM (SELECT found.row, a.status, a.body
      FROM unnest(CAST(:callers AS text[]), CAST(:keys AS text[]), CAST(:statuses AS int[]),
                  CAST(:bodies AS text[])) AS a(caller, key, status, body)
      CROSS JOIN LATERAL (SELECT ctid AS row FROM idempotency_keys
                          WHERE scope = :scope AND caller = a.caller AND key = a.key LIMIT 1) AS found) AS hit
WHERE i.ctid = hit.row
""")


async def remember_many(session: AsyncSession, scope: str, answers: Sequence[tuple[str, str, int, Any]]) -> None:
    """`remember` for several claimed requests at once: (caller, key, status, body)."""
    if answers:
        await session.execute(_ANSWER_MANY, {
            "scope": scope, "callers": [a[0] for a in answers], "keys": [a[1] for a in answers],
            "statuses": [a[2] for a in answers], "bodies": [json.dumps(a[3]) for a in answers],
        })


async def remember(session: AsyncSession, scope: str, key: str, status: int, body: Any, *, caller: str) -> None:
    """Store the response of the claimed request, in the same transaction as the write."""
    await session.execute(answer(scope, key, status, body, caller=caller))


def answer(scope: str, key: str, status: int, body: Any, *, caller: str) -> Update:
    """The update that stores the claimed request's response, to send together with the write."""
    return update(idempotency_keys).where(*_this(scope, caller, key)).values(status=status, body=body)


_ANSWER = update(idempotency_keys).where(
    idempotency_keys.c.scope == bindparam("idem_scope"), idempotency_keys.c.caller == bindparam("idem_caller"),
    idempotency_keys.c.key == bindparam("idem_key"),
).values(status=bindparam("idem_status", type_=Integer), body=bindparam("idem_body", type_=JSONB))


def prepared_answer(scope: str, key: str, status: int, body: Any, *, caller: str) -> tuple[Update, dict[str, Any]]:
    """`answer` as a statement built once and its values, for `oneteam_servicekit.db.Writes`."""
    return _ANSWER, {"idem_scope": scope, "idem_caller": caller, "idem_key": key, "idem_status": status,
                     "idem_body": body}


async def purge(session: AsyncSession, older_than: datetime) -> int:
    """Forget answers stored before `older_than`; how many were forgotten."""
    result = await session.execute(delete(idempotency_keys).where(idempotency_keys.c.created_at < older_than))
    return int(getattr(result, "rowcount", 0) or 0)


async def upgrade_schema(connection: AsyncConnection) -> None:
    """Bring an idempotency_keys table made by an older kit to the shape above (no-op when current)."""
    exists = (await connection.execute(text("SELECT to_regclass('idempotency_keys') IS NOT NULL"))).scalar()
    if not exists:
        return
    if not (await connection.execute(_HAS_CALLER)).scalar():
        for statement in _UPGRADE:
            await connection.execute(text(statement))
    await connection.execute(text("CREATE INDEX IF NOT EXISTS idempotency_keys_created_at "
                                  "ON idempotency_keys (created_at)"))


def _this(scope: str, caller: str, key: str) -> tuple[Any, ...]:
    c = idempotency_keys.c
    return (c.scope == scope, c.caller == caller, c.key == key)


async def purge_periodically(sessions: async_sessionmaker[AsyncSession], retention: timedelta,
                             every: timedelta = timedelta(hours=1)) -> None:
    """Run `purge` for answers older than `retention` now and every `every`, until cancelled.

    Every replica runs it; deleting the same old rows twice is harmless, so no leader is needed.
    """
    while True:
        try:
            async with sessions.begin() as session:
                forgotten = await purge(session, datetime.now(UTC) - retention)
            if forgotten:
                log.info("purged %d idempotency keys older than %s", forgotten, retention)
        except Exception as error:  # the database may be down for a while; try again next round
            log.warning("idempotency key purge failed: %s", type(error).__name__)
        await asyncio.sleep(every.total_seconds())
