"""Cross-replica notifications over PostgreSQL LISTEN/NOTIFY, fanned out in-process.

A transaction that creates or changes an order calls ``notify``; PostgreSQL delivers the
notification to every replica's listener only when (and if) the transaction commits, so
an officer's push channel, held by any replica, hears of the order at once and never of
an order that was rolled back. The matcher is woken the same way.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections import defaultdict
from collections.abc import AsyncIterator, Callable, Sequence
from typing import Any

import asyncpg
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

log = logging.getLogger(__name__)

ORDERS = "dispatch_orders"
PENDING = "dispatch_pending"


async def notify(session: AsyncSession, channel: str, payload: dict[str, Any]) -> None:
    """Send `payload` on `channel` when the session's transaction commits."""
    await _notify(session, channel, [json.dumps(payload, default=str)])


async def notify_orders(session: AsyncSession, orders: Sequence[tuple[Sequence[str], object]], kind: str) -> None:
    """Tell each officer's push channel about new or changed orders, given as (officer ids,
    assignment id): one statement for all of them."""
    payloads = [json.dumps({"officer_id": officer_id, "assignment_id": str(assignment_id), "kind": kind})
                for officer_ids, assignment_id in orders for officer_id in officer_ids]
    if payloads:
        await _notify(session, ORDERS, payloads)


async def _notify(session: AsyncSession, channel: str, payloads: list[str]) -> None:
    await session.execute(_NOTIFY_EACH, {"channel": channel, "payloads": payloads})


_NOTIFY_EACH = text("SELECT count(pg_notify(:channel, payload)) FROM unnest(CAST(:payloads AS text[])) AS payload")


class Hub:
    """One LISTEN connection per replica; subscribers get the notifications meant for them."""

    def __init__(self, database_url: str) -> None:
        self._dsn = database_url.replace("postgresql+asyncpg://", "postgresql://", 1)
        self._officers: dict[str, set[asyncio.Queue[dict[str, Any]]]] = defaultdict(set)
        self._on_pending: list[Callable[[], None]] = []
        self._connection: asyncpg.Connection | None = None
        self._task: asyncio.Task[None] | None = None
        self._stopping = False

    def on_pending(self, callback: Callable[[], None]) -> None:
        """Call `callback` when incidents are waiting to be matched."""
        self._on_pending.append(callback)

    @contextlib.contextmanager
    def subscribe(self, officer_id: str) -> Any:
        """A queue of the officer's order notifications, for the life of the block."""
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(maxsize=100)
        self._officers[officer_id].add(queue)
        try:
            yield queue
        finally:
            self._officers[officer_id].discard(queue)
            if not self._officers[officer_id]:
                del self._officers[officer_id]

    async def start(self) -> None:
        """Connect and listen; reconnects in the background if the database goes away."""
        await self._connect()
        self._task = asyncio.create_task(self._watch(), name="dispatch-listen")

    async def stop(self) -> None:
        """Stop listening."""
        self._stopping = True
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._connection is not None:
            with contextlib.suppress(Exception):
                await self._connection.close()

    async def _connect(self) -> None:
        connection = await asyncpg.connect(self._dsn)
        await connection.add_listener(ORDERS, self._received)
        await connection.add_listener(PENDING, self._received)
        self._connection = connection

    async def _watch(self) -> None:
        while not self._stopping:
            await asyncio.sleep(2)
            if self._connection is not None and not self._connection.is_closed():
                continue
            try:
                await self._connect()
                for callback in self._on_pending:
                    callback()  # notifications were lost while away: look for work now
            except Exception as error:
                log.warning("listen connection lost, retrying: %s", error)

    def _received(self, _connection: object, _pid: int, channel: str, payload: str) -> None:
        if channel == PENDING:
            for callback in self._on_pending:
                callback()
            return
        message = json.loads(payload)
        for queue in list(self._officers.get(message.get("officer_id", ""), ())):
            with contextlib.suppress(asyncio.QueueFull):
                queue.put_nowait(message)


async def heartbeat_stream(queue: asyncio.Queue[dict[str, Any]], every: float) -> AsyncIterator[dict[str, Any] | None]:
    """Messages from `queue`, with None every `every` seconds of silence (for keep-alives)."""
    while True:
        try:
            yield await asyncio.wait_for(queue.get(), every)
        except TimeoutError:
            yield None
