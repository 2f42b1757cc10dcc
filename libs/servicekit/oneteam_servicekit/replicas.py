"""Several processes of one service on one host (uvicorn workers, or `make run` with WEB_CONCURRENCY).

Static group membership needs a name per consumer that is unique and survives the process's
restarts. A pod has one (`KAFKA_GROUP_INSTANCE_ID`, its StatefulSet name); workers forked from
one uvicorn share their environment, so each claims the first free numbered slot under that
name with a lock file. The kernel drops a dead worker's lock at once, so its replacement gets
the same slot, and with it the partitions the broker kept for that name.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import tempfile
from pathlib import Path

_claimed: dict[str, str] = {}
_held: list[int] = []  # open descriptors: a lock lives as long as this process


def instance_id(base: str | None, slots: int = 64) -> str | None:
    """`base` for the first process of a service on this host, `base-2`, `base-3`... for the next."""
    if not base:
        return base
    if base not in _claimed:
        _claimed[base] = _claim(base, slots)
    return _claimed[base]


def _claim(base: str, slots: int) -> str:
    folder = Path(tempfile.gettempdir()) / "oneteam-instances"
    folder.mkdir(exist_ok=True)
    stem = hashlib.sha256(base.encode()).hexdigest()[:16]
    for slot in range(1, slots + 1):
        fd = os.open(folder / f"{stem}.{slot}.lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            continue
        _held.append(fd)
        return base if slot == 1 else f"{base}-{slot}"
    # More processes than slots: a name of its own, which a restart does not keep.
    return f"{base}-pid{os.getpid()}"
