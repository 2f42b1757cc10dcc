"""Reading a tenant's picture from the services: dispatch's board joined with intake's incidents."""

from __future__ import annotations

import asyncio
from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from oneteam_console.domain.picture import Picture, build_picture
from oneteam_console.upstream import Missing, Upstream


def local_day_start(now: datetime, zone: str) -> datetime:
    """Midnight of `now`'s local day, as an aware datetime."""
    local = now.astimezone(ZoneInfo(zone))
    return datetime.combine(local.date(), time(0), tzinfo=local.tzinfo)


async def read_picture(up: Upstream, zone: str, token: str, tenant: str, now: datetime) -> Picture:
    """Dispatch's board joined with intake's incidents; Missing when dispatch cannot answer."""
    board, incidents = await asyncio.gather(
        up.get("dispatch", "/v1/board", token, tenant=tenant),
        _or_empty(up.get("intake", "/v1/incidents", token, tenant=tenant, limit=500)),
    )
    return build_picture(board, incidents, now, local_day_start(now, zone))


async def _or_empty(call: Any) -> Any:
    try:
        return await call
    except Missing:
        return []  # without intake the board's orders still place their incidents
