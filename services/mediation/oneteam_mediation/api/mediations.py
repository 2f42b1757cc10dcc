"""Mediations: open a walk-in or a case referral, record an on-site settlement, read, and the registry."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Response
from fastapi.responses import JSONResponse

from oneteam_contracts import MediationOrigin
from oneteam_mediation import opening, steps
from oneteam_mediation.api.common import (
    MANAGERS,
    TENANT_READERS,
    IdempotencyKey,
    Officer,
    Opener,
    Reader,
    Runtime,
    actor,
    is_mediator,
    privileged,
    tenant_of,
    visible_to,
)
from oneteam_mediation.api.schemas import MediationOut, OnSiteIn, OpenIn, mediation_out
from oneteam_mediation.domain.documents import agreement_document
from oneteam_mediation.domain.mediations import Mediation, State
from oneteam_mediation.domain.parties import mask_contact
from oneteam_mediation.runtime import MediationRuntime
from oneteam_mediation.store import mediations as store
from oneteam_servicekit import Forbidden
from oneteam_servicekit.auth import Principal
from oneteam_servicekit.once import once
from oneteam_servicekit.openapi import problem_responses
from oneteam_servicekit.pdf import render_pdf

router = APIRouter(prefix="/v1", tags=["mediations"])


async def shown(runtime: MediationRuntime, session: Any, principal: Principal, m: Mediation) -> MediationOut:
    """`m` with its contacts, as the caller may see it."""
    return mediation_out(m, await store.contacts(session, m.id), privileged(runtime, principal, m),
                         runtime.clock.now())


@router.post("/mediations", response_model=MediationOut, status_code=201,
             summary="Open a walk-in (mediator, commander) or a case referral (officer, department head, commander)")
async def open_mediation(body: OpenIn, runtime: Runtime, principal: Opener, key: IdempotencyKey = None
                         ) -> JSONResponse:
    tenant = tenant_of(principal, body.tenant)
    if body.origin == "walk_in" and not (principal.has(*MANAGERS) or is_mediator(runtime, principal, tenant)):
        raise Forbidden("a walk-in is opened by a mediator of the registry or the command centre")
    async with runtime.transaction() as session:
        async def act() -> MediationOut:
            m = await opening.open_mediation(runtime, session, opening.Opening(
                tenant=tenant, origin=MediationOrigin(body.origin), category=body.category, skill=body.dispute_type,
                parties=[p.party() for p in body.parties], case_id=body.case_id, incident_id=body.incident_id),
                actor(principal))
            assert m is not None, "a mediation opened by hand has no hand-off to repeat"
            return await shown(runtime, session, principal, m)
        return await once(session, "mediations:open", key, body.model_dump(mode="json"), act, principal=principal,
                          status=201)


@router.post("/mediations/on-site", response_model=MediationOut, status_code=201,
             summary="Record a settlement an officer reached on the spot, with its agreement (officer)")
async def on_site(body: OnSiteIn, runtime: Runtime, principal: Officer, key: IdempotencyKey = None) -> JSONResponse:
    tenant = tenant_of(principal, body.tenant)
    async with runtime.transaction() as session:
        async def act() -> MediationOut:
            obligations, signatures = body.parts(runtime.clock.now())
            m = await opening.settle_on_site(runtime, session, opening.Opening(
                tenant=tenant, origin=MediationOrigin.ON_SITE, category=body.category, skill=body.dispute_type,
                parties=[p.party() for p in body.parties], incident_id=body.incident_id),
                obligations, signatures, actor(principal))
            return await shown(runtime, session, principal, m)
        return await once(session, "mediations:on-site", key, body.model_dump(mode="json"), act,
                          principal=principal, status=201)


@router.get("/mediations/{mediation_id}", response_model=MediationOut,
            summary="A mediation: parties, sessions, agreement and the judicial confirmation window")
async def get_mediation(mediation_id: UUID, runtime: Runtime, principal: Reader) -> MediationOut:
    async with runtime.sessions() as session:
        m = await steps.load(session, mediation_id, visible_to(runtime, principal), lock=False)
        return await shown(runtime, session, principal, m)


@router.get("/mediations/{mediation_id}/agreement.pdf", response_class=Response,
            # 409 until an agreement is signed: the document exists only from then on.
            responses={200: {"content": {"application/pdf": {}}}, **problem_responses(409)},
            summary="The signed agreement (人民调解协议书) as a Chinese PDF; names masked unless privileged")
async def agreement_pdf(mediation_id: UUID, runtime: Runtime, principal: Reader) -> Response:
    async with runtime.sessions() as session:
        m = await steps.load(session, mediation_id, visible_to(runtime, principal), lock=False)
        contacts = await store.contacts(session, m.id)
    if not privileged(runtime, principal, m):
        contacts = {p: mask_contact(c) for p, c in contacts.items()}
    mediator = runtime.tenant(m.tenant).registry.mediator(m.mediator_id) if m.mediator_id else None
    document = agreement_document(m, contacts, mediator.name if mediator else None)
    pdf = render_pdf(document.title, document.number, document.lines)
    return Response(pdf, media_type="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="agreement-{m.id}.pdf"'})


@router.get("/mediations", response_model=list[MediationOut],
            summary="A tenant's mediations, newest first (an officer: the settlements they recorded)")
async def list_mediations(runtime: Runtime, principal: Reader, tenant: str | None = None, state: State | None = None,
                          mediator_id: str | None = None, limit: Annotated[int, Query(ge=1, le=500)] = 100
                          ) -> list[MediationOut]:
    scope = tenant_of(principal, tenant)
    everything = principal.has(*TENANT_READERS) or is_mediator(runtime, principal, scope)
    async with runtime.sessions() as session:
        found = await store.listed(session, tenant=scope, state=state, mediator_id=mediator_id, limit=limit,
                                   created_by=None if everything else actor(principal))
        return [await shown(runtime, session, principal, m) for m in found]


@router.get("/registry", summary="The tenant's mediators (skills, availability, workload) and rooms")
async def registry(runtime: Runtime, principal: Reader, tenant: str | None = None) -> dict[str, Any]:
    scope = tenant_of(principal, tenant)
    listed = runtime.tenant(scope).registry
    async with runtime.sessions() as session:
        load = await store.workload(session, scope)
    return {"tenant": scope, "rooms": [r.model_dump(mode="json") for r in listed.rooms],
            "mediators": [{**m.model_dump(mode="json", exclude={"affiliations"}), "open_mediations": load.get(m.id, 0)}
                          for m in listed.mediators]}
