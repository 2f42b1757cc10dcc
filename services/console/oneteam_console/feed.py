"""One page's live feed: the picture, then a batch of changes each refresh, and the figures now and then."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

from oneteam_console.domain.delta import delta
from oneteam_console.domain.joint import joint_rows
from oneteam_console.domain.panels import case_rows, mediation_rows
from oneteam_console.domain.picture import Picture
from oneteam_console.reading import local_day_start, read_picture
from oneteam_console.runtime import ConsoleRuntime
from oneteam_console.upstream import Missing


async def picture(runtime: ConsoleRuntime, token: str, tenant: str, now: datetime) -> Picture:
    """Dispatch's board joined with intake's incidents; Missing when dispatch cannot answer."""
    return await read_picture(runtime.upstream, runtime.console_settings.timezone, token, tenant, now)


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


def sse(event: str, data: Any) -> str:
    """One Server-Sent Event."""
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False, default=str)}\n\n"


async def stream(runtime: ConsoleRuntime, token: str, tenant: str, panels: frozenset[str]) -> AsyncIterator[str]:
    """The page's feed until it disconnects: `picture`, then `batch` per change, `figures`, `status`.

    The picture is the tenant's shared one (`shared.py`): a page that opens while another page of
    the tenant is open, or was a moment ago, gets it at once instead of waiting for a board read.
    """
    settings = runtime.console_settings
    loop = asyncio.get_running_loop()
    shared, page = runtime.pictures.join(tenant, token) if "map" in panels else (None, -1)
    before: Picture | None = None
    seen = -1
    figures_due = 0.0
    try:
        while True:
            pushed_at = loop.time()
            changed = shared.changed if shared is not None else None  # taken before reading the version
            if shared is not None and shared.version != seen:
                seen = shared.version
                if shared.problem is not None:
                    yield sse("status", {"dispatch": shared.problem})
                after = shared.latest
                if after is not None and after is not before:
                    if before is None:
                        acknowledged = sorted(runtime.acknowledged.get(tenant, ()))
                        yield sse("picture", {**after.as_json(), "acknowledged": acknowledged})
                    elif (batch := delta(before, after)) is not None:
                        yield sse("batch", batch)
                    before = after
            if pushed_at >= figures_due:
                yield sse("figures", await figures(runtime, token, tenant))
                figures_due = pushed_at + settings.figures_s
            yield ": alive\n\n"  # keeps proxies from closing an idle stream
            # Until the tenant's picture changes (or the figures or a keep-alive are due); then
            # the batch window gathers what follows.
            timeout = max(0.05, min(figures_due, pushed_at + settings.refresh_s) - loop.time())
            if changed is None:
                await asyncio.sleep(timeout)
            else:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(changed.wait(), timeout)
            await asyncio.sleep(max(0.0, settings.batch_s - (loop.time() - pushed_at)))
    finally:
        if shared is not None:
            runtime.pictures.leave(tenant, page)
