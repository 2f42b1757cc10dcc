"""What every case-penalty route shares: the runtime, the callers by role, visibility, retries."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Header, Request

from oneteam_case_penalty.domain.cases import Case
from oneteam_case_penalty.runtime import CaseRuntime
from oneteam_servicekit import Forbidden, InvalidRequest
from oneteam_servicekit.auth import Principal, Role, require


def get_cases(request: Request) -> CaseRuntime:
    """Dependency: case-penalty's runtime."""
    runtime: CaseRuntime = request.app.state.runtime
    return runtime


Cases = Annotated[CaseRuntime, Depends(get_cases)]
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key")]

# Who may do what: officers work their own cases; a legal reviewer reviews (法制审核); a
# department head decides, extends and assigns; commanders and auditors read every case of
# their tenant, auditors nothing more (the procuratorate's and joint review's view).
REVIEWERS = (Role.LEGAL_REVIEWER, Role.ADMIN)
HEADS = (Role.DEPARTMENT_HEAD, Role.ADMIN)
TENANT_READERS = (Role.LEGAL_REVIEWER, Role.DEPARTMENT_HEAD, Role.COMMANDER, Role.AUDITOR, Role.ADMIN)
WORKERS = (Role.OFFICER, Role.DEPARTMENT_HEAD, Role.ADMIN)

Reader = Annotated[Principal, Depends(require(Role.OFFICER, *TENANT_READERS))]
Worker = Annotated[Principal, Depends(require(*WORKERS))]
Officer = Annotated[Principal, Depends(require(Role.OFFICER))]
Reviewer = Annotated[Principal, Depends(require(*REVIEWERS))]
Head = Annotated[Principal, Depends(require(*HEADS))]
Auditor = Annotated[Principal, Depends(require(Role.AUDITOR, Role.COMMANDER, Role.ADMIN))]


def visible_to(principal: Principal) -> Callable[[Case], bool]:
    """Whether the caller may see a case: their tenant's, and for an officer only their own."""

    def visible(case: Case) -> bool:
        if case.tenant not in principal.tenants and not principal.platform_admin:
            return False
        return principal.has(*TENANT_READERS) or case.officer_id == principal.officer_id

    return visible


def writable_by(principal: Principal) -> Callable[[Case], bool]:
    """Whether the caller may change a case: its officer, or a head of its tenant."""

    def writable(case: Case) -> bool:
        if case.tenant not in principal.tenants and not principal.platform_admin:
            return False
        return principal.has(*HEADS) or case.officer_id == principal.officer_id

    return writable


def reviewable_by(principal: Principal) -> Callable[[Case], bool]:
    """Whether the caller may review a case: a legal reviewer of its tenant."""
    return lambda case: case.tenant in principal.tenants or principal.platform_admin


def tenant_of(principal: Principal, tenant: str | None) -> str:
    """The tenant a tenant-wide call is about: the caller's own, or the one asked for."""
    chosen = tenant or principal.tenant
    if chosen is None:
        raise InvalidRequest("give the tenant", field="tenant")
    principal.check_tenant(chosen)
    return chosen


def officer_id_of(principal: Principal) -> str:
    """The calling officer's id (from the token's officer_id claim), or the subject for heads."""
    if principal.officer_id is not None:
        return principal.officer_id
    if principal.has(*HEADS):
        return principal.subject
    raise Forbidden("the token carries no officer_id")


def actor(principal: Principal) -> str:
    """Who did it, as the trail records it: role and the subject."""
    role = sorted(r.value for r in principal.roles)[0] if principal.roles else "unknown"
    return f"{role}:{principal.officer_id or principal.subject}"
