"""The screen's reads: who is signed in, the tenant's areas, and the live feed (SSE)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import StreamingResponse

from oneteam_console.api.common import Console, Signed
from oneteam_console.feed import stream

router = APIRouter(prefix="/v1/console", tags=["screen"])


@router.get("/session", summary="The signed-in user: roles, tenants, the panels and actions the page shows")
async def session(caller: Signed, runtime: Console) -> dict[str, Any]:
    p = caller.principal
    return {"subject": p.subject, "tenant": p.tenant, "tenants": sorted(p.tenants),
            "roles": sorted(p.roles), "panels": sorted(caller.panels), "actions": sorted(caller.actions),
            "tile_url": runtime.console_settings.tile_url, "refresh_s": runtime.console_settings.refresh_s}


@router.get("/areas", summary="The tenant's districts and grids (GeoJSON)")
async def areas(caller: Signed, runtime: Console, tenant: str | None = None) -> dict[str, Any]:
    return runtime.areas.of(caller.tenant(tenant))


@router.get("/stream", summary="Live feed (text/event-stream): picture, then batches of changes, figures",
            response_class=StreamingResponse)
async def live(caller: Signed, runtime: Console, tenant: str | None = None) -> StreamingResponse:
    chosen = caller.tenant(tenant)
    return StreamingResponse(stream(runtime, caller.token, chosen, caller.panels), media_type="text/event-stream",
                             headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})
