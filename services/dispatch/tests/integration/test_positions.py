"""Officers' position posts under group commit: many posts per transaction, newest wins, retries
are harmless, a failed flush is a 503 that loses nothing sent later, one event per officer; and
the events' pace: a fix near the last one published waits its turn, a move goes out at once."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from fastapi import FastAPI

from oneteam_contracts import GeoPoint
from oneteam_devstack.testing import Infra
from oneteam_dispatch.domain.positions import Fix, Pace
from oneteam_dispatch.main import build
from oneteam_dispatch.positions import PositionBatcher
from oneteam_dispatch.runtime import DispatchRuntime
from oneteam_dispatch.settings import DispatchSettings

from .conftest import COMMANDER, Area, add_officer, as_officer, dispatch_settings, event_data, read_events, served

pytestmark = pytest.mark.integration
FLUSH_MS = 150  # wide enough that posts sent together on a busy machine share a flush
POSITIONS = "oneteam.officer-positions"


@dataclass
class Served:
    app: FastAPI
    client: httpx.AsyncClient
    settings: DispatchSettings

    def flushes(self) -> int:
        runtime: DispatchRuntime = self.app.state.runtime
        return runtime.positions.flushes


@pytest.fixture(scope="module")
async def dispatch(infra: Infra, config_dir: Path) -> AsyncIterator[Served]:
    """Dispatch without the incident consumer, keeping its app to count the position flushes; every
    flush publishes its newest fixes (the `paced` tests set a pace)."""
    settings = dispatch_settings(infra, config_dir, consume_incidents=False, position_flush_ms=FLUSH_MS,
                                 position_publish_s=0)
    app = build(settings)
    async with served(app) as client:
        yield Served(app, client, settings)


def own_dispatch(infra: Infra, config_dir: Path, **changes: Any) -> FastAPI:
    """A dispatch of the test's own, to stop mid-test: no incident consumer, no background loops."""
    return build(dispatch_settings(infra, config_dir, consume_incidents=False, background=False, **changes))


@pytest.fixture
def paced(dispatch: Served) -> Iterator[PositionBatcher]:
    """The shared dispatch's batcher, publishing an officer at most every 3 s unless they moved 50 m."""
    runtime: DispatchRuntime = dispatch.app.state.runtime
    before = runtime.positions.pace
    runtime.positions.pace = Pace(every_s=3, moved_m=50)
    yield runtime.positions
    runtime.positions.pace = before


def fix(at: dict[str, float], seconds_ago: float = 0, **extra: Any) -> dict[str, Any]:
    return {**at, "recorded_at": (datetime.now(UTC) - timedelta(seconds=seconds_ago)).isoformat(), **extra}


async def post(client: httpx.AsyncClient, officer: str, *fixes: dict[str, Any]) -> httpx.Response:
    return await client.post(f"/v1/officers/{officer}/positions", json={"fixes": list(fixes)},
                             headers=as_officer(officer))


async def test_concurrent_posts_of_many_officers_are_written_in_few_transactions(
    dispatch: Served, area: Area, ids: Any,
) -> None:
    officers = [ids(f"crowd{n}") for n in range(40)]
    await asyncio.gather(*(add_officer(dispatch.client, o, area.at(), fix=False) for o in officers))
    before = dispatch.flushes()

    answers = await asyncio.gather(*(post(dispatch.client, o, fix(area.at(east_m=10 * n)))
                                     for n, o in enumerate(officers)))

    assert [a.status_code for a in answers] == [200] * 40
    assert [a.json()["position"]["lon"] for a in answers] == [pytest.approx(area.at(east_m=10 * n)["lon"])
                                                             for n in range(40)]
    assert all(a.json()["stored"] == 1 and not a.json()["position_stale"] for a in answers)
    assert dispatch.flushes() - before <= 8  # 40 posts, not 40 transactions
    seen = (await dispatch.client.get(f"/v1/officers/{officers[-1]}", headers=COMMANDER)).json()
    assert seen["position"]["lon"] == pytest.approx(area.at(east_m=390)["lon"])


async def test_the_newest_fix_wins_whatever_order_the_posts_arrive_in(
    dispatch: Served, area: Area, ids: Any,
) -> None:
    officer = ids("reorder")
    await add_officer(dispatch.client, officer, area.at(), fix=False)

    together = await asyncio.gather(post(dispatch.client, officer, fix(area.at(20), 20)),
                                    post(dispatch.client, officer, fix(area.at(40), 5)),
                                    post(dispatch.client, officer, fix(area.at(30), 10)))
    late = await post(dispatch.client, officer, fix(area.at(10), 30))  # a terminal's buffered fix, after

    assert [a.status_code for a in together] == [200, 200, 200]
    assert late.status_code == 200 and late.json()["stored"] == 1
    assert late.json()["position"]["lon"] == pytest.approx(area.at(40)["lon"])
    seen = (await dispatch.client.get(f"/v1/officers/{officer}", headers=COMMANDER)).json()
    assert seen["position"]["lon"] == pytest.approx(area.at(40)["lon"])
    track = (await dispatch.client.get(f"/v1/officers/{officer}/track", headers=COMMANDER)).json()
    assert [row["lon"] for row in track] == [pytest.approx(area.at(m)["lon"]) for m in (10, 20, 30, 40)]


async def test_a_retried_post_is_stored_once(dispatch: Served, area: Area, ids: Any) -> None:
    officer = ids("retry")
    await add_officer(dispatch.client, officer, area.at(), fix=False)
    sent = fix(area.at(50), 2)

    both = await asyncio.gather(post(dispatch.client, officer, sent), post(dispatch.client, officer, sent))
    again = await post(dispatch.client, officer, sent)

    assert [a.status_code for a in (*both, again)] == [200, 200, 200]
    assert sorted(a.json()["stored"] for a in both) == [0, 1] and again.json()["stored"] == 0
    assert again.json()["position"]["lon"] == pytest.approx(area.at(50)["lon"])
    track = (await dispatch.client.get(f"/v1/officers/{officer}/track", headers=COMMANDER)).json()
    assert len(track) == 1


async def test_a_failed_flush_answers_503_and_later_fixes_are_stored(
    dispatch: Served, area: Area, ids: Any,
) -> None:
    officer = ids("outage")
    await add_officer(dispatch.client, officer, area.at(), fix=False)
    dsn = dispatch.settings.database_url.replace("postgresql+asyncpg://", "postgresql://", 1)
    holder = await asyncpg.connect(dsn)
    try:
        # Hold the officer's row, let the flush queue behind it, then cut the flush's connection
        # as a database restart or failover would.
        lock = holder.transaction()
        await lock.start()
        await holder.execute("SELECT 1 FROM officers WHERE id = $1 FOR UPDATE", officer)
        pending = asyncio.create_task(post(dispatch.client, officer, fix(area.at(70), 5)))
        flush_pid = None
        for _ in range(100):
            # (Not by query text: for a statement asyncpg prepared earlier it may show the last one.)
            flush_pid = await holder.fetchval(
                "SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database() "
                "AND pid <> pg_backend_pid()")
            if flush_pid is not None:
                break
            await asyncio.sleep(0.05)
        assert flush_pid is not None, "the flush never waited for the officer's row"
        await holder.execute("SELECT pg_terminate_backend($1)", flush_pid)
        failed = await pending
        await lock.rollback()
    finally:
        await holder.close()

    later = await post(dispatch.client, officer, fix(area.at(80), 1))

    assert failed.status_code == 503 and failed.headers["content-type"] == "application/problem+json"
    assert int(failed.headers["retry-after"]) >= 1
    assert later.status_code == 200 and later.json()["stored"] == 1
    assert later.json()["position"]["lon"] == pytest.approx(area.at(80)["lon"])
    track = (await dispatch.client.get(f"/v1/officers/{officer}/track", headers=COMMANDER)).json()
    assert [row["lon"] for row in track] == [pytest.approx(area.at(80)["lon"])]  # the 503'd fix is to resend


async def test_one_flush_publishes_one_event_per_officer_with_its_newest_fix(
    dispatch: Served, infra: Infra, area: Area, ids: Any,
) -> None:
    officer = ids("coalesced")
    await add_officer(dispatch.client, officer, area.at(), fix=False)
    before = dispatch.flushes()

    answers = await asyncio.gather(*(post(dispatch.client, officer, fix(area.at(m), 30 - m)) for m in (5, 25, 15)))

    flushes = dispatch.flushes() - before
    assert [a.status_code for a in answers] == [200, 200, 200]
    published = await read_events(infra, "oneteam.officer-positions", 3, lambda r: r.key == officer.encode(),
                                   timeout=5)
    # One event per flush at most (three posts, usually one flush on a quiet machine), the last the newest.
    assert 1 <= len(published) <= flushes < 3
    assert event_data(published[-1])["data"]["position"]["lon"] == pytest.approx(area.at(25)["lon"])


async def test_an_officer_cannot_post_positions_into_another_tenant(
    dispatch: Served, area: Area, ids: Any,
) -> None:
    officer = ids("elsewhere")
    await add_officer(dispatch.client, officer, area.at(), fix=False)

    refused = await dispatch.client.post(f"/v1/officers/{officer}/positions", json={"fixes": [fix(area.at(5))]},
                                         headers=as_officer(officer, tenant="330106005"))

    assert refused.status_code == 403
    seen = (await dispatch.client.get(f"/v1/officers/{officer}", headers=COMMANDER)).json()
    assert seen["position_at"] is None


async def test_fixes_waiting_for_a_flush_when_dispatch_stops_are_stored_before_it_closes(
    infra: Infra, config_dir: Path, area: Area, ids: Any,
) -> None:
    officer = ids("stopping")
    app = own_dispatch(infra, config_dir, position_flush_ms=1000)
    async with served(app) as client:
        await add_officer(client, officer, area.at(), fix=False)
        runtime: DispatchRuntime = app.state.runtime
        fixes = [Fix(GeoPoint(**area.at(30)), datetime.now(UTC))]
        waiting = asyncio.create_task(runtime.positions.submit(officer, fixes, lambda tenant: None))
        await asyncio.sleep(0.05)  # queued; its flush is due in a second, after the stop begins
        assert not waiting.done()

    assert waiting.done()  # the stop waited for its flush, before closing the pool
    assert waiting.result().stored == 1
    async with served(own_dispatch(infra, config_dir, database_url=runtime.settings.database_url)) as again:
        seen = (await again.get(f"/v1/officers/{officer}", headers=COMMANDER)).json()
    assert seen["position"]["lon"] == pytest.approx(area.at(30)["lon"])


async def test_fixes_near_the_last_published_wait_their_turn_and_the_newest_then_goes_out(
    dispatch: Served, paced: PositionBatcher, infra: Infra, area: Area, ids: Any,
) -> None:
    officer = ids("paced")
    await add_officer(dispatch.client, officer, area.at(), fix=False)
    first = await post(dispatch.client, officer, fix(area.at(10), 2))
    before = paced.published

    near = await post(dispatch.client, officer, fix(area.at(20), 1))
    nearer = await post(dispatch.client, officer, fix(area.at(30), 0))

    assert [a.status_code for a in (first, near, nearer)] == [200, 200, 200]
    assert nearer.json()["position"]["lon"] == pytest.approx(area.at(30)["lon"])  # stored, as matching reads it
    assert paced.published == before  # not on the topic yet
    published = await read_events(infra, POSITIONS, 2, lambda r: r.key == officer.encode(), timeout=10)
    # The 20 m fix never went out: the 30 m one, newer, took its turn.
    assert [event_data(r)["data"]["position"]["lon"] for r in published] == [
        pytest.approx(area.at(m)["lon"]) for m in (10, 30)]
    assert paced.published == before + 1


async def test_an_officer_who_moved_far_is_published_at_once(
    dispatch: Served, paced: PositionBatcher, infra: Infra, area: Area, ids: Any,
) -> None:
    officer = ids("moving")
    await add_officer(dispatch.client, officer, area.at(), fix=False)
    await post(dispatch.client, officer, fix(area.at(0), 1))
    before = paced.published

    moved = await post(dispatch.client, officer, fix(area.at(200), 0))

    assert moved.status_code == 200 and paced.published == before + 1  # staged by the post's own flush
    published = await read_events(infra, POSITIONS, 2, lambda r: r.key == officer.encode(), timeout=10)
    assert event_data(published[-1])["data"]["position"]["lon"] == pytest.approx(area.at(200)["lon"])


async def test_a_fix_waiting_its_turn_is_published_when_dispatch_stops(
    infra: Infra, config_dir: Path, area: Area, ids: Any,
) -> None:
    officer = ids("leaving")
    app = own_dispatch(infra, config_dir, position_publish_s=300)
    async with asyncio.timeout(30):  # the stop does not wait five minutes for the fix's turn
        async with served(app) as client:
            await add_officer(client, officer, area.at(), fix=False)
            await post(client, officer, fix(area.at(10), 1))
            await post(client, officer, fix(area.at(20), 0))  # waits five minutes for its turn
            runtime: DispatchRuntime = app.state.runtime
            assert runtime.positions.published == 1

    assert runtime.positions.published == 2  # the stop published it at once
    # Another dispatch on the same database relays whatever the stop left in the outbox.
    async with served(own_dispatch(infra, config_dir, database_url=runtime.settings.database_url)):
        published = await read_events(infra, POSITIONS, 2, lambda r: r.key == officer.encode(), timeout=15)
    assert [event_data(r)["data"]["position"]["lon"] for r in published] == [
        pytest.approx(area.at(m)["lon"]) for m in (10, 20)]
