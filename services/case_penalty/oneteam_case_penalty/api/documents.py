"""The party's documents: issue one (numbered once by the tenant's scheme), download it as PDF."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict
from sqlalchemy.ext.asyncio import AsyncSession

from oneteam_case_penalty import recording, steps
from oneteam_case_penalty.api.common import Cases, IdempotencyKey, Reader, Worker, actor, visible_to, writable_by
from oneteam_case_penalty.domain import cases as C
from oneteam_case_penalty.domain.cases import Case
from oneteam_case_penalty.domain.documents import Document, DocumentKind, check_issuable, compose, number
from oneteam_case_penalty.runtime import CaseRuntime
from oneteam_case_penalty.store import documents as document_store
from oneteam_case_penalty.store import parties as party_store
from oneteam_deadlines.calendar import CHINA
from oneteam_servicekit import NotFound
from oneteam_servicekit.once import once
from oneteam_servicekit.pdf import render_pdf

router = APIRouter(prefix="/v1/cases/{case_id}/documents", tags=["documents"])


class IssueIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: DocumentKind


@router.post("", status_code=201,
             summary="Issue a document (告知书, 行政处罚决定书, 不予行政处罚决定书), numbered once")
async def issue(case_id: UUID, body: IssueIn, runtime: Cases, principal: Worker,
                key: IdempotencyKey = None) -> JSONResponse:
    async with runtime.transaction() as session:
        async def act() -> dict[str, str]:
            case = await steps.load(session, case_id, writable_by(principal))
            check_issuable(case, body.kind)
            if body.kind.value in case.documents:
                return {"kind": body.kind.value, "number": case.documents[body.kind.value]}
            now = runtime.clock.now().astimezone(CHINA)
            prefix = runtime.tenant(case.tenant).catalogue.document_prefix
            seq = await document_store.next_number(session, case.tenant, body.kind.value, now.year)
            doc_number = number(prefix, body.kind, now.year, seq)
            after = C.issue(case, kind=body.kind.value, number=doc_number)
            await steps.change(runtime, session, case, after, "document_issued", actor(principal),
                               {"kind": body.kind.value, "number": doc_number})
            return {"kind": body.kind.value, "number": doc_number}
        return await once(session, f"case:{case_id}:document", key, body.model_dump(mode="json"), act,
                          principal=principal, status=201)


@router.get("/{kind}.pdf", summary="An issued document as PDF (Chinese, STSong-Light)",
            response_class=Response, responses={200: {"content": {"application/pdf": {}}}})
async def download(case_id: UUID, kind: DocumentKind, runtime: Cases, principal: Reader) -> Response:
    async with runtime.sessions() as session:
        case = await steps.load(session, case_id, visible_to(principal))
        if kind.value not in case.documents:
            raise NotFound(f"no {kind.value} was issued in case {case_id}")
        document = await _compose(runtime, session, case, kind)
    return Response(render_pdf(document.title, document.number, document.lines), media_type="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{kind.value}-{case_id}.pdf"'})


async def _compose(runtime: CaseRuntime, session: AsyncSession, case: Case, kind: DocumentKind) -> Document:
    tenant = runtime.tenant(case.tenant)
    rec = await recording.recommendation(runtime, session, case, runtime.clock.now())
    authority = "、".join(tenant.catalogue.departments[d].name for d in case.departments
                         if d in tenant.catalogue.departments) or "综合行政执法队"
    issued = runtime.clock.now().astimezone(CHINA).date()
    return compose(kind, case.documents[kind.value], case, recording.items_of(runtime, case), rec,
                   await _party(runtime, session, case), authority, issued)


async def _party(runtime: CaseRuntime, session: AsyncSession, case: Case) -> str:
    # The number is printed only from its encrypted copy; without the key the document says so.
    kind = "自然人" if case.party_kind.value == "person" else "法人或者其他组织"
    if case.party_ref is None:
        return f"{kind}（身份待核实）"
    sealed, _ = await party_store.sealed(session, case.party_ref)
    if sealed is None or runtime.fernet is None:
        return f"{kind}（证件号码见送达回证）"
    return f"{kind}，证件号码 {runtime.fernet.decrypt(sealed).decode()}"
