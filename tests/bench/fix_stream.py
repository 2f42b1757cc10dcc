"""Officers' terminals streaming GPS fixes over dispatch's WebSocket (`/v1/me/positions/stream`).

Each officer holds one socket and sends a frame per fix; answers come back in order, so each is
matched to the oldest frame still waiting. A socket that fails is opened again on the next fix,
as the app does. No per-message compression: a frame is ~150 bytes, and deflating it would cost
both ends more CPU than it saves on the wire.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections import deque
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake

PATH = "/v1/me/positions/stream"
# What a fix on a stream raises when it fails: the socket closed or never opened, or no answer in time.
STREAM_FAILURES = (ConnectionClosed, InvalidHandshake, OSError, ConnectionError)


class FixStream:
    """One officer's socket to dispatch at `url` (http://host:port)."""

    def __init__(self, url: str, token: str, timeout_s: float = 30.0) -> None:
        self.url = url.replace("http://", "ws://", 1) + PATH
        self.headers = {"Authorization": f"Bearer {token}"}
        self.timeout_s = timeout_s
        self._ws: ClientConnection | None = None
        self._reader: asyncio.Task[None] | None = None
        self._waiting: deque[asyncio.Future[dict[str, Any]]] = deque()
        self._seq = 0
        self._opening = asyncio.Lock()

    async def open(self) -> None:
        async with self._opening:
            if self._ws is not None:
                return
            self._ws = await connect(self.url, additional_headers=self.headers, compression=None,
                                     open_timeout=self.timeout_s)
            self._reader = asyncio.create_task(self._read(self._ws))

    async def send(self, fixes: list[dict[str, Any]]) -> dict[str, Any]:
        """Send one frame of fixes; its answer (an error answer is returned, not raised)."""
        async with asyncio.timeout(self.timeout_s):
            await self.open()
            assert self._ws is not None
            self._seq += 1
            answer: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
            self._waiting.append(answer)
            await self._ws.send(json.dumps({"seq": self._seq, "fixes": fixes}))
            return await answer

    async def _read(self, ws: ClientConnection) -> None:
        try:
            async for message in ws:
                if self._waiting:
                    future = self._waiting.popleft()
                    if not future.done():
                        future.set_result(json.loads(message))
        except ConnectionClosed:
            pass
        finally:
            # Frames still waiting are lost with the socket: they fail, and the next fix reopens it.
            if self._ws is ws:
                self._ws = None
            while self._waiting:
                future = self._waiting.popleft()
                if not future.done():
                    future.set_exception(ConnectionError("the position stream closed"))

    async def close(self) -> None:
        if self._ws is not None:
            await self._ws.close()
        if self._reader is not None:
            with contextlib.suppress(Exception):
                await self._reader


async def open_streams(url: str, tokens: dict[str, str], concurrency: int = 32) -> dict[str, FixStream]:
    """A socket per officer (officer id → token), opened `concurrency` at a time."""
    streams = {officer_id: FixStream(url, token) for officer_id, token in tokens.items()}
    gate = asyncio.Semaphore(concurrency)

    async def one(stream: FixStream) -> None:
        async with gate:
            await stream.open()

    await asyncio.gather(*(one(s) for s in streams.values()))
    return streams


async def close_streams(streams: dict[str, FixStream]) -> None:
    await asyncio.gather(*(s.close() for s in streams.values()), return_exceptions=True)
