"""Mobile apps: submit a report (with photos), read its status, rate the handling."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Header, Query, UploadFile
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from oneteam_contracts import CategoryCode, GeoPoint, ReportSource, Satisfaction, TenantCode
from oneteam_intake.api.deps import (
    STAFF,
    Caller,
    ContactOut,
    IntakeDep,
    PublicLimit,
    ReportBatcherDep,
    Staff,
    contact_out,
    keep_photo,
)
from oneteam_intake.api.schemas import ContactIn, ReceiptOut, receipt_out
from oneteam_intake.domain.feedback import Rating
from oneteam_intake.domain.reopen import offers_reopen
from oneteam_intake.domain.tokens import report_token, token_matches
from oneteam_intake.reopening import window_of
from oneteam_intake.service import Intake, Receipt, Submission
from oneteam_intake.store import incidents as incident_store
from oneteam_intake.store import reports as report_store
from oneteam_intake.store.reports import ReportRecord
from oneteam_intake.submissions import Pending, Render
from oneteam_servicekit import Forbidden, InvalidRequest, NotFound, RuntimeDep, Unauthorized
from oneteam_servicekit import idempotency as idem
from oneteam_servicekit.auth import Principal, Role

router = APIRouter(prefix="/v1", tags=["mobile apps"])

# Which sources each kind of caller may claim; a citizen cannot file as a patrol officer.
CITIZEN_SOURCES = frozenset({ReportSource.CITIZEN_APP, ReportSource.SHOP_APP})
_SOURCES_BY_ROLE = {
    Role.CITIZEN: CITIZEN_SOURCES,
    Role.GRID_WORKER: CITIZEN_SOURCES | {ReportSource.GRID_WORKER},
    Role.OFFICER: CITIZEN_SOURCES | {ReportSource.PATROL},
    Role.COMMANDER: frozenset(ReportSource) - {ReportSource.AI_CAMERA},
    Role.ADMIN: frozenset(ReportSource) - {ReportSource.AI_CAMERA},
}
TokenHeader = Annotated[str | None, Header(alias="X-Report-Token", description="status token from submission")]
TokenQuery = Annotated[str | None, Query(alias="token", description="status token, if a header cannot be sent")]


class ReportIn(BaseModel):
    """A report from a mobile app. Category may be left out by citizens: triage picks it."""

    model_config = ConfigDict(extra="forbid")
    tenant: TenantCode
    category: CategoryCode | None = None
    description: str = Field(min_length=1, max_length=2000)
    location: GeoPoint
    source: ReportSource = ReportSource.CITIZEN_APP
    client_report_id: str | None = Field(None, max_length=200)
    contact: ContactIn | None = None
    photo_ids: list[str] = Field(default_factory=list, max_length=9,
                                 description="ids from POST /v1/photos")


class SubmittedOut(ReceiptOut):
    """The receipt plus the token that lets an anonymous reporter read the status later."""

    status_token: str


class FeedbackIn(BaseModel):
    """The reporter's rating after closure."""

    model_config = ConfigDict(extra="forbid")
    rating: Satisfaction
    comment: str | None = Field(None, max_length=1000)


class FeedbackOut(BaseModel):
    """A recorded rating; a 'dissatisfied' one offers to reopen the incident while the window is open."""

    rating: Satisfaction
    comment: str | None
    can_reopen: bool = False
    reopen_url: str | None = Field(None, description="POST here with the status token to reopen")


class ReportStatusOut(BaseModel):
    """A report and what became of it. Anyone holding the report id sees its status; its reporter
    (status token or login) and staff also see what it said, the contact (masked unless
    commander/admin) and the rating."""

    report_id: UUID
    incident_id: UUID | None
    status: str
    received_at: datetime
    report_count: int | None
    full: bool = Field(description="false: the status alone, as shown without credentials")
    category: str | None = None
    description: str | None = None
    location: GeoPoint | None = None
    district: str | None = None
    grid: str | None = None
    source: ReportSource | None = None
    photo_ids: list[str] | None = None
    contact: ContactOut | None = None
    feedback: FeedbackOut | None = None


class PhotoOut(BaseModel):
    """An uploaded photo's id, to list in a report's photo_ids."""

    photo_id: str
    content_type: str
    size: int


@router.post("/reports", status_code=201, response_model=SubmittedOut, summary=(
    "Submit a report (anonymous, or any role; rate-limited for anonymous and citizens). Safe to retry "
    "with the same Idempotency-Key or client_report_id."))
async def submit_report(
    body: ReportIn, batcher: ReportBatcherDep, caller: Caller, _: None = PublicLimit,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key")] = None,
) -> JSONResponse:
    _check_source(body.source, caller)
    if body.category is None and body.source not in CITIZEN_SOURCES:
        raise InvalidRequest(f"category: required for source {body.source.value}",
                             errors=[{"field": "category", "reason": "required for this source"}])
    if caller is not None:
        caller.check_tenant(body.tenant)
    key = idempotency_key or body.client_report_id
    if key is not None:
        idem.check_key(key)
    status, answer = await batcher.submit(Pending(Submission(
        tenant=body.tenant, category=body.category, description=body.description, location=body.location,
        source=body.source, client_report_id=body.client_report_id,
        reporter_subject=caller.subject if caller else None,
        contact=body.contact.stored() if body.contact else None, photo_ids=tuple(body.photo_ids),
    ), key, idem.request_hash(body.model_dump(mode="json")), idem.caller_of(caller)))
    return JSONResponse(answer, status_code=status)


def submitted(intake: Intake) -> Render:
    """The body a stored report is answered with: its receipt and its status token."""
    secret = intake.settings.report_token_secret.encode()

    def render(receipt: Receipt) -> dict[str, Any]:
        # SubmittedOut's JSON, without validating it again and walking it with jsonable_encoder (29 → 2 µs).
        return {**receipt_out(receipt).model_dump(mode="json"), "status_token": report_token(secret, receipt.report_id)}

    return render


@router.get("/reports/{report_id}", response_model=ReportStatusOut, summary=(
    "A report's status. Without credentials: the status alone (the id is unguessable). With the status "
    "token (X-Report-Token or ?token=), the reporter's bearer token, or a staff role: the full report, "
    "contact masked unless commander/admin"))
async def read_report(report_id: UUID, runtime: RuntimeDep, intake: IntakeDep, caller: Caller,
                      token: TokenHeader = None, token_query: TokenQuery = None) -> ReportStatusOut:
    token = token or token_query
    async with runtime.sessions() as session:
        if token is None and caller is None:
            record = await report_store.get(session, report_id)
            if record is None:
                raise NotFound(f"report {report_id} does not exist")
            receipt = await intake.receipt(session, record)
            return ReportStatusOut(report_id=record.id, incident_id=record.incident_id, status=receipt.status,
                                   received_at=record.received_at, full=False,
                                   report_count=receipt.incident.report_count if receipt.incident else None)
        record = await reporters_report(session, intake, report_id, caller, token, staff_may_read=True)
        receipt = await intake.receipt(session, record)
        contact = await report_store.contact_of(session, report_id)
        rating = await report_store.rating_of(session, report_id)
    return ReportStatusOut(
        report_id=record.id, incident_id=record.incident_id, status=receipt.status, received_at=record.received_at,
        report_count=receipt.incident.report_count if receipt.incident else None, full=True,
        category=record.category, description=record.description, location=record.location,
        district=record.district, grid=record.grid, source=record.source, photo_ids=record.photo_ids,
        contact=contact_out(contact, caller),
        feedback=FeedbackOut(rating=rating.rating, comment=rating.comment) if rating else None,
    )


@router.post("/reports/{report_id}/feedback", response_model=FeedbackOut, status_code=201, summary=(
    "Rate the handling once the incident is closed (the reporter only); a repeated identical rating "
    "answers 200"))
async def give_feedback(report_id: UUID, body: FeedbackIn, runtime: RuntimeDep, intake: IntakeDep,
                        caller: Caller, token: TokenHeader = None, token_query: TokenQuery = None) -> JSONResponse:
    async with runtime.transaction() as session:
        record = await reporters_report(session, intake, report_id, caller, token or token_query,
                                          staff_may_read=False, for_update=True)
        created = await intake.rate(session, record, Rating(body.rating, body.comment))
        stored = await report_store.rating_of(session, report_id)
        incident = await incident_store.get(session, record.incident_id) if record.incident_id else None
    assert stored is not None and incident is not None
    offer = offers_reopen(stored.rating, incident, window_of(intake, incident.tenant), intake.clock.now())
    answer = FeedbackOut(rating=stored.rating, comment=stored.comment, can_reopen=offer,
                         reopen_url=f"/v1/reports/{report_id}/reopen" if offer else None)
    return JSONResponse(jsonable_encoder(answer), status_code=201 if created else 200)


@router.post("/photos", status_code=201, response_model=PhotoOut, summary=(
    "Upload a photo (JPEG, PNG or WebP; size limit in settings) before the report that lists it. Same "
    "bytes → same id, so retries are safe. Anonymous or any role; rate-limited like reports."))
async def upload_photo(file: UploadFile, runtime: RuntimeDep, intake: IntakeDep, _: None = PublicLimit) -> PhotoOut:
    identifier, kind, size = await keep_photo(intake, runtime, file, "file")
    return PhotoOut(photo_id=identifier, content_type=kind, size=size)


@router.get("/photos/{photo_id}", summary="A photo's bytes (officer, commander, admin)",
            response_class=Response)
async def read_photo(photo_id: str, runtime: RuntimeDep, intake: IntakeDep, caller: Staff) -> Response:
    if not caller.has(Role.OFFICER, Role.COMMANDER, Role.ADMIN):
        raise Forbidden("requires one of the roles: officer, commander, admin")
    async with runtime.sessions() as session:
        kind = await report_store.photo_type(session, photo_id)
    content = await intake.photos.get(photo_id) if kind is not None else None
    if kind is None or content is None:
        raise NotFound(f"photo {photo_id} does not exist")
    return Response(content, media_type=kind)


def _check_source(source: ReportSource, caller: Principal | None) -> None:
    allowed: frozenset[ReportSource] = CITIZEN_SOURCES
    if caller is not None:
        allowed = frozenset().union(*(_SOURCES_BY_ROLE.get(role, frozenset()) for role in caller.roles))
    if source not in allowed:
        who = "anonymous callers" if caller is None else f"roles {', '.join(sorted(caller.roles))}"
        raise Forbidden(f"source: {who} may not submit reports as {source.value}", field="source")


async def reporters_report(session: Any, intake: IntakeDep, report_id: UUID, caller: Principal | None,
                            token: str | None, *, staff_may_read: bool, for_update: bool = False) -> ReportRecord:
    """The report if the caller is its reporter (by token or login), or staff where allowed."""
    record = await report_store.get(session, report_id, for_update=for_update)
    if record is None:
        raise NotFound(f"report {report_id} does not exist")
    if token is not None and token_matches(intake.settings.report_token_secret.encode(), report_id, token):
        return record
    if caller is not None and record.reporter_subject == caller.subject:
        return record
    if staff_may_read and caller is not None and caller.has(*STAFF):
        caller.check_tenant(record.tenant)
        return record
    if token is None and caller is None:
        raise Unauthorized("give the report's status token (X-Report-Token) or a bearer token")
    raise Forbidden("only the reporter may do this for the report")
