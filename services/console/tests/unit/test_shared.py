"""One picture per tenant: a second page gets it at once, tokens fall back, the loop stops after the last page."""

import asyncio
from datetime import UTC, datetime

from oneteam_console.domain.picture import Picture
from oneteam_console.shared import SharedPictures, TenantPicture
from oneteam_console.upstream import Missing
from oneteam_console.wakeup import Wakeup

NOW = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)


class Board:
    """dispatch's board as the loop reads it: records each read's token, refuses the tokens named."""

    def __init__(self, refused: frozenset[str] = frozenset()) -> None:
        self.reads: list[tuple[str, str]] = []
        self.refused = refused

    async def __call__(self, token: str, tenant: str, now: datetime) -> Picture:
        self.reads.append((token, tenant))
        if token in self.refused:
            raise Missing("dispatch answered 401 to /v1/board")
        officer = {"id": "o1", "lon": 120.1, "lat": 30.2, "status": "available", "position_at": None}
        return Picture(at=now, incidents={}, officers={"o1": officer}, queue=[], clocks=[], alerts=[])


async def first_version(shared: TenantPicture) -> None:
    while shared.version == 0:  # the loop publishes from its own task
        await shared.changed.wait()


async def test_a_second_page_gets_the_held_picture_without_a_read_of_its_own() -> None:
    board = Board()
    pictures = SharedPictures(board, Wakeup(None), refresh_s=60, batch_s=0.01)
    first, _ = pictures.join("t1", "token-a")
    await asyncio.wait_for(first_version(first), 2)

    second, _ = pictures.join("t1", "token-b")

    assert second is first and second.latest is not None and "o1" in second.latest.officers
    assert board.reads == [("token-a", "t1")]  # one read for both pages (the next is a minute away)
    await pictures.stop()


async def test_a_refused_token_falls_back_to_another_pages_and_tenants_stay_apart() -> None:
    board = Board(refused=frozenset({"expired"}))
    pictures = SharedPictures(board, Wakeup(None), refresh_s=60, batch_s=0.01)
    pictures.join("t1", "fresh")
    shared, _ = pictures.join("t1", "expired")
    other, _ = pictures.join("t2", "expired")
    await asyncio.wait_for(first_version(shared), 2)
    await asyncio.wait_for(first_version(other), 2)

    assert shared.latest is not None and shared.problem is None
    assert board.reads[:2] == [("expired", "t1"), ("fresh", "t1")]  # the newest page's token first
    assert other.latest is None and other.problem == "dispatch answered 401 to /v1/board"
    await pictures.stop()


async def test_the_last_page_out_stops_the_loop_after_the_linger() -> None:
    pictures = SharedPictures(Board(), Wakeup(None), refresh_s=60, batch_s=0.01, linger_s=0.05)
    shared, page = pictures.join("t1", "token-a")
    await asyncio.wait_for(first_version(shared), 2)
    task = shared.task

    pictures.leave("t1", page)
    assert "t1" in pictures.tenants  # a reload within the linger finds it warm
    await asyncio.sleep(0.15)

    assert "t1" not in pictures.tenants and task is not None and task.cancelled()
