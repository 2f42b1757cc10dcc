"""One live picture per tenant, shared by every open page of that tenant.

Reading dispatch's board for 5 000 officers takes about a second, more on a busy machine. When
each page read it for itself, a new page waited for its own read before drawing anything, and
ten wall displays meant ten reads a second. Here one loop per tenant reads the board and lays
the position fixes over it; a page that opens gets the last picture at once, then follows the
same versions as every other page of the tenant.

When the last page leaves, the loop goes on for `linger_s` more, so a reloaded screen finds the
picture warm; after that it stops, and the next page waits for a read of its own (a picture
held longer would show clocks as they were when it was read).

The board is read with the token of a page that is open on that tenant's map, so dispatch still
decides what the console may read: only pages whose role shows the map (commander, admin) join,
and the console already checked their tenant. The newest page's token is tried first (the one
least likely to have expired), then the others'.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from oneteam_console.domain.picture import Picture
from oneteam_console.domain.positions import Fix, with_positions
from oneteam_console.upstream import Missing
from oneteam_console.wakeup import Wakeup

Read = Callable[[str, str, datetime], Awaitable[Picture]]  # (token, tenant, now) → the picture


@dataclass
class TenantPicture:
    """A tenant's newest picture (or why dispatch could not give one), and who is watching it."""

    latest: Picture | None = None
    version: int = 0
    problem: str | None = None
    tokens: dict[int, str] = field(default_factory=dict)  # page → its token, oldest first
    task: asyncio.Task[None] | None = None
    changed: asyncio.Event = field(default_factory=asyncio.Event)

    def publish(self, picture: Picture | None, problem: str | None = None) -> None:
        """A new version: wake every page waiting for one."""
        if picture is not None:
            self.latest = picture
        self.problem = problem
        self.version += 1
        woken, self.changed = self.changed, asyncio.Event()
        woken.set()


class SharedPictures:
    """The tenants' pictures: a loop per tenant while at least one page watches it."""

    def __init__(self, read: Read, wakeup: Wakeup, refresh_s: float, batch_s: float, linger_s: float = 30.0) -> None:
        self.read, self.wakeup, self.refresh_s, self.batch_s = read, wakeup, refresh_s, batch_s
        self.linger_s = linger_s
        self.tenants: dict[str, TenantPicture] = {}
        self._pages = itertools.count()

    def join(self, tenant: str, token: str) -> tuple[TenantPicture, int]:
        """Watch `tenant` with `token`; starts its loop when this is the first page."""
        shared = self.tenants.setdefault(tenant, TenantPicture())
        page = next(self._pages)
        shared.tokens[page] = token
        if shared.task is None or shared.task.done():
            shared.task = asyncio.create_task(self._follow(tenant, shared), name=f"console-picture-{tenant}")
        return shared, page

    def leave(self, tenant: str, page: int) -> None:
        """Stop watching; when no page is left after `linger_s`, the loop stops and the picture goes."""
        shared = self.tenants.get(tenant)
        if shared is None:
            return
        if len(shared.tokens) > 1:
            shared.tokens.pop(page, None)
            return
        asyncio.get_running_loop().call_later(self.linger_s, self._expire, tenant, page)

    def _expire(self, tenant: str, page: int) -> None:
        shared = self.tenants.get(tenant)
        if shared is None:
            return
        shared.tokens.pop(page, None)
        if not shared.tokens:
            if shared.task is not None:
                shared.task.cancel()
            del self.tenants[tenant]

    async def stop(self) -> None:
        """Cancel every loop (shutdown)."""
        tasks = [s.task for s in self.tenants.values() if s.task is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _read(self, tenant: str, shared: TenantPicture) -> Picture:
        problem = Missing("no page is open")
        for token in reversed(list(shared.tokens.values())):
            try:
                return await self.read(token, tenant, datetime.now(UTC))
            except Missing as error:  # an expired token, or dispatch down: the next page's, then give up
                problem = error
        raise problem

    async def _follow(self, tenant: str, shared: TenantPicture) -> None:
        """Read the board, lay fixes over the last picture while the next read runs, publish each change."""
        loop = asyncio.get_running_loop()
        bell = self.wakeup.subscribe()
        reading: asyncio.Task[Picture] | None = None
        read_due = 0.0
        try:
            while True:
                started = loop.time()
                fixes: dict[str, Fix] = self.wakeup.fixes.get(tenant, {})
                if reading is None and started >= read_due:
                    reading = asyncio.create_task(self._read(tenant, shared))
                if reading is not None and reading.done():
                    try:
                        shared.publish(with_positions(reading.result(), fixes))
                    except Missing as error:
                        shared.publish(None, str(error))
                    reading, read_due = None, started + self.refresh_s
                elif shared.latest is not None and fixes:
                    moved = with_positions(shared.latest, fixes)
                    if moved is not shared.latest:
                        shared.publish(moved)
                waits: list[asyncio.Future[Any]] = [asyncio.ensure_future(bell.event.wait())]
                if reading is not None:
                    waits.append(reading)
                timeout = max(0.05, (read_due if reading is None else loop.time() + self.refresh_s) - loop.time())
                await asyncio.wait(waits, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
                waits[0].cancel()
                if "work" in bell.take():
                    read_due = 0.0  # an incident or order changed: read the board as soon as possible
                await asyncio.sleep(max(0.0, self.batch_s - (loop.time() - started)))
        finally:
            self.wakeup.unsubscribe(bell)
            if reading is not None:
                reading.cancel()
