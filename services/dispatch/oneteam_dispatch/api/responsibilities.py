"""The responsibility list (权责清单) through the admin API, with its version history."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from oneteam_contracts import TenantCode
from oneteam_dispatch.api.common import Admin, Commander, Dispatch
from oneteam_dispatch.config import ResponsibilitiesIn, responsibility_list
from oneteam_dispatch.store import responsibilities as store
from oneteam_servicekit import InvalidRequest, NotFound

router = APIRouter(prefix="/v1/tenants/{tenant}", tags=["responsibility list"])


class ListOut(ResponsibilitiesIn):
    """The list at one version."""

    tenant: str
    version: int


class ListPut(ResponsibilitiesIn):
    """A new version of the whole list, with a note on what changed."""

    model_config = ConfigDict(extra="forbid")
    note: str | None = Field(None, max_length=1000)


class VersionOut(BaseModel):
    """One version in the history: who, when, why, and the list as it was."""

    version: int
    author: str
    changed_at: datetime
    note: str | None
    document: dict[str, Any]


@router.get("/responsibilities", response_model=ListOut, summary="The current list (commander, admin)")
async def get_list(tenant: TenantCode, runtime: Dispatch, principal: Commander) -> ListOut:
    principal.check_tenant(tenant)
    async with runtime.sessions() as session:
        found = await store.latest(session, tenant)
    if found is None:
        raise NotFound(f"tenant {tenant} has no responsibility list")
    version, document = found
    return ListOut(tenant=tenant, version=version, **document)


@router.get("/responsibilities/{category}", summary="Look up one category (commander, admin)")
async def lookup(tenant: TenantCode, category: str, runtime: Dispatch, principal: Commander) -> dict[str, Any]:
    principal.check_tenant(tenant)
    async with runtime.sessions() as session:
        listed = await runtime.tenants.responsibilities(session, tenant)
    entry = listed.lookup(category) if listed else None
    if listed is None or entry is None:
        raise NotFound(f"no entry for {category!r}: such incidents go to the command centre's queue")
    return {"version": listed.version, "category": category, "team_type": entry.team_type.value,
            "department": entry.department, "handling": entry.handling.value, "skills": sorted(entry.skills),
            "joint_departments": list(entry.joint_departments), "legal_basis": entry.legal_basis,
            "power_held": entry.power_held, "sla_profile": entry.sla_profile}


@router.put("/responsibilities", response_model=ListOut, summary="Replace the list; a new version (admin)")
async def put_list(tenant: TenantCode, body: ListPut, runtime: Dispatch, principal: Admin) -> ListOut:
    principal.check_tenant(tenant)
    content = ResponsibilitiesIn(sla_profiles=body.sla_profiles, entries=body.entries)
    try:
        responsibility_list(tenant, 0, content)
    except ValueError as error:
        raise InvalidRequest(str(error), field="entries") from None
    document = content.model_dump(mode="json")
    async with runtime.transaction() as session:
        version = await store.add_version(session, tenant, document, principal.subject, body.note,
                                          runtime.clock.now())
    return ListOut(tenant=tenant, version=version, **document)


@router.get("/responsibilities-history", response_model=list[VersionOut],
            summary="Every version, newest first: who changed what, when (commander, admin)")
async def history(tenant: TenantCode, runtime: Dispatch, principal: Commander) -> list[VersionOut]:
    principal.check_tenant(tenant)
    async with runtime.sessions() as session:
        rows = await store.history(session, tenant)
    return [VersionOut(version=r["version"], author=r["author"], changed_at=r["changed_at"], note=r["note"],
                       document=r["document"]) for r in rows]
