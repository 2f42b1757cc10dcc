"""One page's live feed: the picture, then a batch of changes each refresh, and the figures now and then."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from oneteam_console.domain.delta import delta
from oneteam_console.domain.picture import Picture, build_picture
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
    """KPI standings, hotspots, cases and mediations; each None when its service is absent or down."""
    up = runtime.upstream
    targets, hotspots, cases, late, mediations = await asyncio.gather(
        _or_none(up.get("evaluation", f"/v1/tenants/{tenant}/targets", token)),
        _or_none(up.get("evaluation", f"/v1/tenants/{tenant}/hotspots", token, format="geojson")),
        _or_none(up.get("case_penalty", "/v1/cases", token, tenant=tenant, limit=50)),
        _or_none(up.get("case_penalty", "/v1/board/deadlines", token, tenant=tenant)),
        _or_none(up.get("mediation", "/v1/mediations", token, tenant=tenant)),
    )
    return {"kpis": targets, "hotspots": hotspots, "cases": cases, "late_cases": late, "mediations": mediations}


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
    """The page's feed until it disconnects: `picture`, then `batch` per change, `figures`, `status`."""
    settings = runtime.console_settings
    before: Picture | None = None
    tick = 0
    while True:
        now = datetime.now(ZoneInfo("UTC"))
        if "map" in panels:
            try:
                after = await picture(runtime, token, tenant, now)
            except Missing as error:
                yield sse("status", {"dispatch": str(error)})
            else:
                if before is None:
                    seen = sorted(runtime.acknowledged.get(tenant, ()))
                    yield sse("picture", {**after.as_json(), "acknowledged": seen})
                elif (batch := delta(before, after)) is not None:
                    yield sse("batch", batch)
                else:
                    yield ": nothing changed\n\n"  # keeps proxies from closing an idle stream
                before = after
        if tick % settings.figures_every == 0:
            yield sse("figures", await figures(runtime, token, tenant))
        tick += 1
        await asyncio.sleep(settings.refresh_s)

