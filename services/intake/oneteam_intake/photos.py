"""Photo storage behind an interface; the default keeps files in a local folder.

Photos are content-addressed (id = SHA-256 of the bytes), so an upload retried over a flaky
connection stores nothing twice and returns the same id.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import tempfile
from pathlib import Path
from typing import Protocol

# Only what phone cameras produce; the type comes from the bytes, never the client's header.
_SIGNATURES: tuple[tuple[bytes, int, str], ...] = (
    (b"\xff\xd8\xff", 0, "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", 0, "image/png"),
    (b"WEBP", 8, "image/webp"),
)
ALLOWED_TYPES = tuple(kind for _, _, kind in _SIGNATURES)


def sniff(content: bytes) -> str | None:
    """The image type of `content` from its first bytes, or None if it is not an allowed image."""
    for magic, offset, kind in _SIGNATURES:
        if content[offset:offset + len(magic)] == magic and (kind != "image/webp" or content[:4] == b"RIFF"):
            return kind
    return None


def photo_id(content: bytes) -> str:
    """The id of a photo: the SHA-256 of its bytes, in hex."""
    return hashlib.sha256(content).hexdigest()


class PhotoStorage(Protocol):
    """Where photo bytes live (a local folder here; an object store in production)."""

    async def put(self, photo_id: str, content: bytes) -> None: ...

    async def get(self, photo_id: str) -> bytes | None: ...


class LocalPhotoStorage:
    """Files under `root/<first two hex digits>/<id>`."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, photo_id: str) -> Path:
        return self.root / photo_id[:2] / photo_id

    async def put(self, photo_id: str, content: bytes) -> None:
        await asyncio.to_thread(self._write, self._path(photo_id), content)

    async def get(self, photo_id: str) -> bytes | None:
        path = self._path(photo_id)
        try:
            return await asyncio.to_thread(path.read_bytes)
        except FileNotFoundError:
            return None

    @staticmethod
    def _write(path: Path, content: bytes) -> None:
        if path.exists():
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        # Write aside and rename, so a crash never leaves half a photo under its id.
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(content)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
