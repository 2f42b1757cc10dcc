"""What every mediation route shares: the runtime, callers by role, visibility, retries.

Mediators sign in as staff with an ``officer`` token whose ``officer_id`` is their id in the
tenant's registry (the kit has no mediator role of its own yet); the registry, not the token,
makes them a mediator.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Header, Request

from oneteam_mediation.domain.mediations import Mediation
from oneteam_mediation.runtime import MediationRuntime
from oneteam_servicekit import InvalidRequest
from oneteam_servicekit.auth import Principal, Role, require


def get_mediation(request: Request) -> MediationRuntime:
    """Dependency: mediation's runtime."""
    runtime: MediationRuntime = request.app.state.runtime
    return runtime


Runtime = Annotated[MediationRuntime, Depends(get_mediation)]
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key")]

# The command centre manages every dispute of its tenant; department heads and auditors read
# them (contacts masked, notes hidden); mediators work their own and unassigned ones; an
# officer records on-site settlements and reads what they recorded.
MANAGERS = (Role.COMMANDER, Role.ADMIN)
TENANT_READERS = (Role.COMMANDER, Role.DEPARTMENT_HEAD, Role.AUDITOR, Role.ADMIN)

Reader = Annotated[Principal, Depends(require(Role.OFFICER, *TENANT_READERS))]
Worker = Annotated[Principal, Depends(require(Role.OFFICER, *MANAGERS))]
Opener = Annotated[Principal, Depends(require(Role.OFFICER, Role.DEPARTMENT_HEAD, *MANAGERS))]
Officer = Annotated[Principal, Depends(require(Role.OFFICER))]


def is_mediator(runtime: MediationRuntime, principal: Principal, tenant: str) -> bool:
    """Whether the caller is a mediator of `tenant`'s registry."""
    registry = runtime.tenants.get(tenant)
    return (principal.has(Role.OFFICER) and principal.officer_id is not None and registry is not None
            and registry.registry.mediator(principal.officer_id) is not None)


def _own_tenant(principal: Principal, m: Mediation) -> bool:
    return m.tenant in principal.tenants or principal.platform_admin


def visible_to(runtime: MediationRuntime, principal: Principal) -> Callable[[Mediation], bool]:
    """Whether the caller may read a mediation."""
    return lambda m: _own_tenant(principal, m) and (
        principal.has(*TENANT_READERS) or is_mediator(runtime, principal, m.tenant) or m.created_by == actor(principal))


def writable_by(runtime: MediationRuntime, principal: Principal) -> Callable[[Mediation], bool]:
    """Whether the caller may work a mediation: a manager, or a mediator it is assigned to (or nobody yet)."""
    return lambda m: _own_tenant(principal, m) and (principal.has(*MANAGERS) or (
        is_mediator(runtime, principal, m.tenant) and m.mediator_id in (None, principal.officer_id)))


def privileged(runtime: MediationRuntime, principal: Principal, m: Mediation) -> bool:
    """Who sees contacts unmasked and the mediator's notes: managers and the assigned mediator."""
    return principal.has(*MANAGERS) or (m.mediator_id is not None and m.mediator_id == principal.officer_id
                                        and is_mediator(runtime, principal, m.tenant))


def tenant_of(principal: Principal, tenant: str | None) -> str:
    """The tenant a call is about: the caller's own, or the one asked for."""
    chosen = tenant or principal.tenant
    if chosen is None:
        raise InvalidRequest("give the tenant", field="tenant")
    principal.check_tenant(chosen)
    return chosen


def actor(principal: Principal) -> str:
    """Who did it: role and the officer id or subject."""
    role = sorted(r.value for r in principal.roles)[0] if principal.roles else "unknown"
    return f"{role}:{principal.officer_id or principal.subject}"
