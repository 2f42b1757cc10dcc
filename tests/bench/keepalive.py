"""Keep-alive HTTP/1.1 connections written by hand, for benchmarks that send hundreds of requests a second.

A full client's own CPU (httpx: ~1 ms a request, and a pool that slows as requests queue for
its connections) would take a share of the two cores the servers are measured on: the load
test's generator spent 92 % of its loop in httpx sending 400 fixes a second, and sent 63;
the pipeline bench's, 72 % in httpx's pool at 100 reports a second.
"""

from __future__ import annotations

import asyncio

# What a request on these connections raises when it fails: refused or reset (OSError), no
# answer in time (TimeoutError, an OSError too), closed mid-answer (IncompleteReadError), or an
# answer that is not HTTP (ValueError, IndexError).
FAILURES = (OSError, ValueError, IndexError, asyncio.IncompleteReadError)


class Connections:
    """`size` keep-alive connections to one server (`http://host:port`), opened on first use."""

    def __init__(self, url: str, size: int, timeout_s: float = 30.0) -> None:
        host, _, port = url.removeprefix("http://").partition(":")
        self.host, self.port = host, int(port)
        self.timeout_s = timeout_s  # a request not answered by then fails, so a benchmark ends
        self.idle: asyncio.Queue[tuple[asyncio.StreamReader, asyncio.StreamWriter] | None] = asyncio.Queue()
        for _ in range(size):
            self.idle.put_nowait(None)  # opened on first use

    async def send(self, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
        """POST `body` as JSON with `headers`; the response's status and body."""
        async with asyncio.timeout(self.timeout_s):
            return await self._send(path, body, headers)

    async def _send(self, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
        connection = await self.idle.get()
        try:
            reused = connection is not None
            if connection is None:
                connection = await asyncio.open_connection(self.host, self.port)
            extra = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
            request = (f"POST {path} HTTP/1.1\r\nHost: {self.host}\r\nContent-Type: application/json\r\n"
                       f"{extra}Content-Length: {len(body)}\r\n\r\n".encode() + body)
            reader, writer = connection
            writer.write(request)
            try:
                first = await reader.readline()
            except ConnectionError:
                first = b""
            if not first and reused:
                # The server closed the idle connection (its keep-alive timeout) before this
                # request reached it, as any client meets: on a new one, once.
                writer.close()
                connection = reader, writer = await asyncio.open_connection(self.host, self.port)
                writer.write(request)
                first = await reader.readline()
            status = int(first.split()[1])
            length, close = 0, False
            while (line := await reader.readline()) not in (b"\r\n", b""):
                name, _, value = line.decode("latin-1").partition(":")
                if name.lower() == "content-length":
                    length = int(value)
                elif name.lower() == "connection" and "close" in value.lower():
                    close = True
            answer = await reader.readexactly(length)
            if close:
                writer.close()
                connection = None
            return status, answer
        except BaseException:
            if connection is not None:
                connection[1].close()  # cut mid-request (a timeout, a failure): never reused
            connection = None
            raise
        finally:
            self.idle.put_nowait(connection)
