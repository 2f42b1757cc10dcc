"""A doorbell between replicas' outbox relays: one UDP datagram wakes the leader after a commit.

Only the leading replica publishes (an advisory lock), so an event committed by another replica
would wait for the leader's next poll. LISTEN/NOTIFY would carry the wake, but a transaction
that notifies takes a database-wide lock at commit, which serialises every commit under load.
Instead the leader opens a UDP socket on the address it reaches PostgreSQL from and names its
port and a random token in its lock connection's `application_name`; the others find it through
`pg_locks` (who holds the lock) and `pg_stat_activity`, so an address outlives neither the
leader's connection nor its lock, and no table or migration is needed. A lost datagram costs
only the wait for the leader's poll.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
import secrets
import socket
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

log = logging.getLogger(__name__)

# application_name holds at most 63 bytes: the prefix, a port and 16 hex digits fit.
_PREFIX = "outbox-doorbell"

_LEADER_OF = text("""
    SELECT host(a.client_addr) AS host, a.application_name AS name
    FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
    WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
      AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
      AND ((l.classid::int8 << 32) | l.objid::int8) = :lock_id
""")


@dataclass(frozen=True)
class Bell:
    """Where the leader listens, and the token it answers to."""

    host: str
    port: int
    token: bytes


async def find_leader(conn: AsyncConnection, lock_id: int) -> Bell | None:
    """The doorbell advertised by whoever holds advisory lock `lock_id`, if it has one."""
    row = (await conn.execute(_LEADER_OF, {"lock_id": lock_id})).first()
    if row is None or not isinstance(row.name, str):
        return None
    parts = row.name.split(" ")
    if len(parts) != 3 or parts[0] != _PREFIX or not parts[1].isdigit():
        return None
    # No client address means a Unix socket: the leader is on this host.
    return Bell(row.host or "127.0.0.1", int(parts[1]), parts[2].encode())


class Doorbell:
    """The leader's side: listens for rings and calls `on_ring` for each genuine one."""

    def __init__(self, transport: asyncio.DatagramTransport, bell: Bell) -> None:
        self._transport = transport
        self.bell = bell

    @classmethod
    async def open(cls, conn: AsyncConnection, on_ring: Callable[[], None]) -> Doorbell | None:
        """Listen on the address `conn` reaches PostgreSQL from and advertise it on `conn`.

        None when that address cannot be bound here (a NAT between replica and database):
        then the other replicas' events wait for the leader's poll, as without a doorbell.
        """
        host = await conn.scalar(text("SELECT host(inet_client_addr())")) or "127.0.0.1"
        token = secrets.token_hex(8).encode()
        try:
            transport, _ = await asyncio.get_running_loop().create_datagram_endpoint(
                lambda: _Listener(token, on_ring), local_addr=(host, 0))
        except OSError as error:
            log.info("outbox doorbell not opened on %s: %s; other replicas rely on the poll", host, error)
            return None
        port = int(transport.get_extra_info("sockname")[1])
        await conn.execute(text("SELECT set_config('application_name', :name, false)"),
                           {"name": f"{_PREFIX} {port} {token.decode()}"})
        return cls(transport, Bell(host, port, token))

    async def close(self, conn: AsyncConnection) -> None:
        """Stop listening and take the advertisement down (the connection may already be gone)."""
        self._transport.close()
        with contextlib.suppress(Exception):
            await conn.execute(text("SELECT set_config('application_name', '', false)"))


class Ringer:
    """A follower's side: rings the leader's bell at most once per event-loop turn."""

    def __init__(self) -> None:
        self.bell: Bell | None = None
        self._socket: socket.socket | None = None
        self._pending = False

    def ring(self) -> None:
        """Ask the leader to publish now; commits in one loop turn share a datagram."""
        if self.bell is None or self._pending:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self._send()
            return
        self._pending = True
        loop.call_soon(self._send)

    def close(self) -> None:
        """Release the socket."""
        if self._socket is not None:
            self._socket.close()
            self._socket = None

    def _send(self) -> None:
        self._pending = False
        bell = self.bell
        if bell is None:
            return
        try:
            family = socket.AF_INET6 if ":" in bell.host else socket.AF_INET
            if self._socket is None or self._socket.family != family:
                self.close()
                self._socket = socket.socket(family, socket.SOCK_DGRAM)
                self._socket.setblocking(False)
            self._socket.sendto(bell.token, (bell.host, bell.port))
        except OSError as error:
            # A full buffer or a leader just gone: the poll publishes the event anyway.
            log.debug("outbox doorbell not rung: %s", error)


class _Listener(asyncio.DatagramProtocol):
    def __init__(self, token: bytes, on_ring: Callable[[], None]) -> None:
        self._token = token
        self._on_ring = on_ring

    def datagram_received(self, data: bytes, addr: tuple[str | int, ...]) -> None:
        # The token keeps strangers on the network from making the leader poll in a loop.
        if hmac.compare_digest(data, self._token):
            self._on_ring()
