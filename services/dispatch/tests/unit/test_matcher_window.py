"""The batching window counts from the first waiting incident's wake, not from the end of the last batch."""

from __future__ import annotations

import asyncio
import time
from types import SimpleNamespace

from oneteam_dispatch.matcher import Matcher

WINDOW_S = 0.3
BATCH_S = 0.4


class _Timed(Matcher):
    """A matcher whose batches take BATCH_S and note when they start."""

    def __init__(self) -> None:
        settings = SimpleNamespace(batch_window_ms=WINDOW_S * 1000, matcher_poll_s=30.0)
        super().__init__(SimpleNamespace(dispatch_settings=settings))  # type: ignore[arg-type]
        self.started: asyncio.Queue[float] = asyncio.Queue()

    async def run_once(self) -> int:
        self.started.put_nowait(time.monotonic())
        await asyncio.sleep(BATCH_S)
        return 0


async def _second_batch(after_first_starts_s: float) -> tuple[float, float]:
    """When the second batch starts, after the first batch's start and after the second wake."""
    matcher = _Timed()
    loop = asyncio.create_task(matcher.run())
    try:
        matcher.wake()
        first = await matcher.started.get()
        await asyncio.sleep(after_first_starts_s)
        woken = time.monotonic()
        matcher.wake()
        second = await matcher.started.get()
        return second - first, second - woken
    finally:
        loop.cancel()


async def test_an_incident_woken_during_a_batch_is_matched_when_the_batch_ends() -> None:
    # It came 0.05 s into a 0.4 s batch: by the batch's end it has waited longer than the window.
    since_first, since_wake = await _second_batch(0.05)
    assert since_first < BATCH_S + 0.15, "the whole window was waited again after the batch"
    assert since_wake >= WINDOW_S * 0.9


async def test_an_incident_woken_while_the_matcher_is_idle_waits_the_whole_window() -> None:
    _, since_wake = await _second_batch(BATCH_S + 0.05)
    assert WINDOW_S * 0.9 <= since_wake < WINDOW_S + 0.2
