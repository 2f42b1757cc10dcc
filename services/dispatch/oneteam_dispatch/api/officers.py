"""The officer registry, officers' status and their positions."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from oneteam_contracts import CoordinateSystem, GeoPoint, PositionSource, TenantCode
from oneteam_dispatch.api.common import (
    Admin,
    Commander,
    Dispatch,
    OfficerOut,
    Staff,
    is_commander,
    officer_id_of,
    officer_out,
    tenant_of,
)
from oneteam_dispatch.config import OfficerIn
from oneteam_dispatch.domain.officers import SELF_SET_STATUSES, OfficerStatus
from oneteam_dispatch.domain.positions import Fix, check_fixes
from oneteam_dispatch.positions import Kept, PositionBatcher
from oneteam_dispatch.push import PENDING, notify
from oneteam_dispatch.runtime import DispatchRuntime
from oneteam_dispatch.store import officers as officer_store
from oneteam_servicekit import Conflict, Forbidden, NotFound
from oneteam_servicekit.auth import Principal

router = APIRouter(prefix="/v1", tags=["officers"])
OfficerIdPath = Annotated[str, Path(pattern=r"^[A-Za-z0-9_.-]{1,64}$")]


class OfficerPut(OfficerIn):
    """An officer's registry entry; PUT again to change it (safe to retry)."""

    tenant: TenantCode


class FixIn(BaseModel):
    """One GPS fix; GCJ-02 coordinates (``crs: gcj02``) are converted to WGS-84."""

    model_config = ConfigDict(extra="forbid")
    lon: float = Field(ge=-180, le=180)
    lat: float = Field(ge=-90, le=90)
    crs: CoordinateSystem = CoordinateSystem.WGS84
    recorded_at: AwareDatetime
    source: PositionSource = PositionSource.TERMINAL
    accuracy_m: float | None = Field(None, ge=0, le=10000)


class PositionsIn(BaseModel):
    """A batch of fixes from the terminal or the body camera."""

    model_config = ConfigDict(extra="forbid")
    fixes: list[FixIn] = Field(min_length=1, max_length=1000)


class PositionsOut(BaseModel):
    """What was kept."""

    officer_id: str
    stored: int
    position: GeoPoint | None
    position_at: datetime | None
    position_stale: bool


class StatusIn(BaseModel):
    """A status the officer's app may set."""

    model_config = ConfigDict(extra="forbid")
    status: OfficerStatus


async def _own_or_commanded(runtime: Dispatch, principal: Principal, officer_id: str) -> None:
    if is_commander(principal):
        async with runtime.sessions() as session:
            officer = await officer_store.get_officer(session, officer_id)
        if officer is None:
            raise NotFound(f"officer {officer_id} does not exist")
        principal.check_tenant(officer.tenant)
    elif officer_id_of(principal) != officer_id:
        raise Forbidden("officers may only act for themselves")


@router.put("/officers/{officer_id}", response_model=OfficerOut, summary="Register or update an officer (admin)")
async def put_officer(officer_id: OfficerIdPath, body: OfficerPut, runtime: Dispatch, principal: Admin) -> OfficerOut:
    principal.check_tenant(body.tenant)
    officer = body.officer(officer_id, body.tenant)
    async with runtime.transaction() as session:
        existing = await officer_store.get_officer(session, officer_id, for_update=True)
        if existing is not None and existing.tenant != body.tenant:
            raise Conflict(f"officer {officer_id} belongs to another tenant")
        # An officer on an order keeps the status and position the order gives them, or a
        # registry edit would make them available and open them to a second order.
        busy = existing is not None and existing.active_orders > 0
        await officer_store.upsert_officer(session, officer, live_state=not busy)
        saved = await officer_store.get_officer(session, officer_id)
    assert saved is not None
    return officer_out(saved, runtime)


@router.get("/officers", response_model=list[OfficerOut], summary="Officers of a tenant (commander, admin)")
async def get_officers(runtime: Dispatch, principal: Commander, tenant: TenantCode | None = None,
                       status: OfficerStatus | None = None) -> list[OfficerOut]:
    async with runtime.sessions() as session:
        found = await officer_store.list_officers(session, tenant_of(principal, tenant), status=status)
    return [officer_out(o, runtime) for o in found]


@router.get("/officers/{officer_id}", response_model=OfficerOut, summary="One officer (self, commander, admin)")
async def get_officer(officer_id: OfficerIdPath, runtime: Dispatch, principal: Staff) -> OfficerOut:
    await _own_or_commanded(runtime, principal, officer_id)
    async with runtime.sessions() as session:
        officer = await officer_store.get_officer(session, officer_id)
    if officer is None:
        raise NotFound(f"officer {officer_id} does not exist")
    principal.check_tenant(officer.tenant)
    return officer_out(officer, runtime)


@router.put("/officers/{officer_id}/status", response_model=OfficerOut,
            summary="Go on or off duty or on a break (the officer; commanders too)")
async def put_status(officer_id: OfficerIdPath, body: StatusIn, runtime: Dispatch, principal: Staff) -> OfficerOut:
    await _own_or_commanded(runtime, principal, officer_id)
    if body.status not in SELF_SET_STATUSES:
        raise Forbidden(f"{body.status.value} is set by orders, not by hand", field="status")
    async with runtime.transaction() as session:
        officer = await officer_store.get_officer(session, officer_id, for_update=True)
        if officer is None:
            raise NotFound(f"officer {officer_id} does not exist")
        principal.check_tenant(officer.tenant)
        if officer.active_orders and body.status is not OfficerStatus.AVAILABLE:
            raise Conflict("finish or hand over your open orders first")
        await officer_store.set_status(session, [officer_id], body.status)
        if body.status is OfficerStatus.AVAILABLE:
            await notify(session, PENDING, {"tenant": officer.tenant})  # queued work may fit now
        saved = await officer_store.get_officer(session, officer_id)
    assert saved is not None
    return officer_out(saved, runtime)


async def _batcher(runtime: Dispatch) -> PositionBatcher:
    """This replica's position batcher (async: a plain def would hop to a thread)."""
    return runtime.positions


@router.post("/officers/{officer_id}/positions", response_model=PositionsOut,
             summary="A batch of GPS fixes (the officer's own terminal or body camera); safe to resend",
             responses={503: {"description": "The fixes could not be stored just now; send them again"}})
async def post_positions(officer_id: OfficerIdPath, body: PositionsIn, runtime: Dispatch, principal: Staff,
                         batcher: Annotated[PositionBatcher, Depends(_batcher)]) -> PositionsOut:
    if officer_id_of(principal) != officer_id:
        raise Forbidden("officers may only report their own position")
    fixes = fixes_of(body)
    check_fixes(fixes, runtime.clock.now())
    # Answered once the flush holding these fixes has committed, so a 200 means stored.
    kept = await batcher.submit(officer_id, fixes, principal.check_tenant)
    return positions_out(officer_id, kept, runtime)


def fixes_of(body: PositionsIn) -> list[Fix]:
    """The domain's fixes of a valid batch (GCJ-02 converted)."""
    return [Fix(GeoPoint(lon=f.lon, lat=f.lat, crs=f.crs), f.recorded_at, f.source, f.accuracy_m) for f in body.fixes]


def positions_out(officer_id: str, kept: Kept, runtime: DispatchRuntime) -> PositionsOut:
    """The answer to a batch of fixes: how many were new, and where the officer now stands."""
    stale_after = runtime.tenants.policy(kept.tenant).stale_after
    stale = kept.position_at is None or runtime.clock.now() - kept.position_at > stale_after
    return PositionsOut(officer_id=officer_id, stored=kept.stored, position=kept.position,
                        position_at=kept.position_at, position_stale=stale)


@router.get("/officers/{officer_id}/track", summary="An officer's fixes for replay (commander, admin)")
async def get_track(officer_id: OfficerIdPath, runtime: Dispatch, principal: Commander,
                    since: AwareDatetime | None = None,
                    limit: Annotated[int, Query(ge=1, le=10000)] = 1000) -> list[dict[str, Any]]:
    await _own_or_commanded(runtime, principal, officer_id)
    async with runtime.sessions() as session:
        return await officer_store.track(session, officer_id, since, limit)
