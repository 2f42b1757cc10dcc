"""One page's live feed: the picture, then a batch of changes each refresh, and the figures now and then."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from oneteam_console.domain.delta import delta
from oneteam_console.domain.joint import joint_rows
from oneteam_console.domain.panels import case_rows, mediation_rows
from oneteam_console.domain.picture import Picture, build_picture
from oneteam_console.domain.positions import with_positions
from oneteam_console.runtime import ConsoleRuntime
from oneteam_console.upstream import Missing


def local_day_start(now: datetime, zone: str) -> datetime:
    """Midnight of `now`'s local day, as an aware datetime."""
    local = now.astimezone(ZoneInfo(zone))
    return datetime.combine(local.date(), time(0), tzinfo=local.tzinfo)


async def picture(runtime: ConsoleRuntime, token: str, tenant: str, now: datetime) -> Picture:
    """Dispatch's board joined with intake's incidents; Missing when dispatch cannot answer."""
    up = runtime.upstream
    board, incidents = await asyncio.gather(
        up.get("dispatch", "/v1/board", token, tenant=tenant),
        _or_empty(up.get("intake", "/v1/incidents", token, tenant=tenant, limit=500)),
    )
    return build_picture(board, incidents, now, local_day_start(now, runtime.console_settings.timezone))


async def figures(runtime: ConsoleRuntime, token: str, tenant: str) -> dict[str, Any]:
    """KPI standings, hotspots, cases, mediations, joint operations; each None when its source cannot answer."""
    up = runtime.upstream
    targets, hotspots, cases, late, mediations, joint = await asyncio.gather(
        _or_none(up.get("evaluation", f"/v1/tenants/{tenant}/targets", token)),
        _or_none(up.get("evaluation", f"/v1/tenants/{tenant}/hotspots", token, format="geojson")),
        _or_none(up.get("case_penalty", "/v1/cases", token, tenant=tenant, limit=50)),
        _or_none(up.get("case_penalty", "/v1/board/deadlines", token, tenant=tenant)),
        _or_none(up.get("mediation", "/v1/mediations", token, tenant=tenant)),
        # Planned visits change over hours, not seconds: read with the figures, not every refresh.
        _or_none(up.get("dispatch", "/v1/joint-operations", token, tenant=tenant)),
    )
    now = datetime.now(UTC)
    day_start = local_day_start(now, runtime.console_settings.timezone)
    return {"kpis": targets, "hotspots": hotspots, "late_cases": late,
            "cases": None if cases is None else case_rows(cases, now),
            "mediations": None if mediations is None else mediation_rows(mediations, now),
            "joint": None if joint is None else joint_rows(joint, day_start)}


async def _or_none(call: Any) -> Any:
    try:
        return await call
    except Missing:
        return None


async def _or_empty(call: Any) -> Any:
    try:
        return await call
    except Missing:
        return []  # without intake the board's orders still place their incidents


def sse(event: str, data: Any) -> str:
    """One Server-Sent Event."""
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False, default=str)}\n\n"


async def stream(runtime: ConsoleRuntime, token: str, tenant: str, panels: frozenset[str]) -> AsyncIterator[str]:
    """The page's feed until it disconnects: `picture`, then `batch` per change, `figures`, `status`.

    Dispatch's board is read in the background (seconds with thousands of officers); while it
    is being read, position fixes from the topic are laid over the last picture and pushed, so
    a moving officer does not wait for the board.
    """
    settings = runtime.console_settings
    loop = asyncio.get_running_loop()
    bell = runtime.wakeup.subscribe()
    before: Picture | None = None
    reading: asyncio.Task[Picture] | None = None
    read_due = 0.0
    figures_due = 0.0
    try:
        while True:
            pushed_at = loop.time()
            fixes = runtime.wakeup.fixes.get(tenant, {})
            after: Picture | None = None
            if "map" in panels and reading is None and pushed_at >= read_due:
                reading = asyncio.create_task(picture(runtime, token, tenant, datetime.now(UTC)))
            if reading is not None and reading.done():
                try:
                    after = with_positions(reading.result(), fixes)
                except Missing as error:
                    yield sse("status", {"dispatch": str(error)})
                reading, read_due = None, pushed_at + settings.refresh_s
            elif before is not None and fixes:
                after = with_positions(before, fixes)
            if after is not None:
                if before is None:
                    seen = sorted(runtime.acknowledged.get(tenant, ()))
                    yield sse("picture", {**after.as_json(), "acknowledged": seen})
                elif (batch := delta(before, after)) is not None:
                    yield sse("batch", batch)
                before = after
            if pushed_at >= figures_due:
                yield sse("figures", await figures(runtime, token, tenant))
                figures_due = pushed_at + settings.figures_s
            yield ": alive\n\n"  # keeps proxies from closing an idle stream
            # Until something happens, the board has been read, or the next read is due;
            # then the batch window gathers what follows.
            waits: list[asyncio.Future[Any]] = [asyncio.ensure_future(bell.event.wait())]
            if reading is not None:
                waits.append(reading)
            timeout = max(0.05, (read_due if reading is None else loop.time() + settings.refresh_s) - loop.time())
            await asyncio.wait(waits, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
            waits[0].cancel()
            if "work" in bell.take():
                read_due = 0.0  # an incident or order changed: read the board as soon as possible
            await asyncio.sleep(max(0.0, settings.batch_s - (loop.time() - pushed_at)))
    finally:
        runtime.wakeup.unsubscribe(bell)
        if reading is not None:
            reading.cancel()
