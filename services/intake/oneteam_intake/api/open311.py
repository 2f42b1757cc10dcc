"""Open311 GeoReport v2, so existing civic reporting apps work unchanged.

JSON only (the `.json` format suffix, or none); XML is not offered. Service codes are the
catalog's category codes; `jurisdiction_id` is the tenant's division code (default from
settings). Coordinates are WGS-84 as the standard says; `address_string` alone is refused,
since intake does not geocode. Errors are problem+json like everywhere in OneTeam, not
Open311's error array. Personal fields (email, first_name, last_name, phone) are stored
apart and never returned.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from urllib.parse import parse_qsl
from uuid import UUID

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from oneteam_contracts import CategoryCode, GeoPoint, ReportSource, TenantCode
from oneteam_intake.api.deps import Caller, IntakeDep, PublicLimit, validated
from oneteam_intake.api.schemas import EMAIL_PATTERN, PHONE_PATTERN
from oneteam_intake.domain.privacy import scrub
from oneteam_intake.domain.reports import Incident, IncidentStatus, ReportState
from oneteam_intake.service import Intake, Submission
from oneteam_intake.store import incidents as incident_store
from oneteam_intake.store import reports as report_store
from oneteam_intake.store.reports import Contact, ReportRecord
from oneteam_servicekit import InvalidRequest, NotFound, RuntimeDep
from oneteam_servicekit import idempotency as idem

router = APIRouter(prefix="/open311/v2", tags=["Open311 GeoReport v2"])
AGENCY = "OneTeam command centre (综合指挥中心)"


class ServiceOut(BaseModel):
    """An Open311 service: one category of the catalog."""

    service_code: str
    service_name: str
    description: str
    metadata: bool = False
    type: Literal["realtime"] = "realtime"
    keywords: str
    group: str = "城市管理 / City management"


class Open311RequestIn(BaseModel):
    """POST /requests fields (form-encoded as the standard says, or JSON)."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)
    jurisdiction_id: TenantCode | None = None
    service_code: CategoryCode
    lat: float = Field(ge=-90, le=90)
    long: float = Field(ge=-180, le=180)
    description: str = Field(min_length=1, max_length=2000)
    address_string: str | None = Field(None, max_length=500)
    email: str | None = Field(None, pattern=EMAIL_PATTERN, max_length=200)
    first_name: str | None = Field(None, max_length=50)
    last_name: str | None = Field(None, max_length=50)
    phone: str | None = Field(None, pattern=PHONE_PATTERN)
    device_id: str | None = Field(None, max_length=200)
    media_url: str | None = Field(None, max_length=1000)


class ServiceRequestOut(BaseModel):
    """An Open311 service request (no personal data)."""

    service_request_id: str
    status: Literal["open", "closed"]
    status_notes: str | None
    service_name: str | None
    service_code: str | None
    description: str
    agency_responsible: str = AGENCY
    service_notice: str | None = None
    requested_datetime: datetime
    updated_datetime: datetime
    expected_datetime: datetime | None = None
    address: str | None = None
    address_id: str | None = None
    zipcode: str | None = None
    lat: float
    long: float
    media_url: str | None = None


@router.get("/services", response_model=list[ServiceOut], summary="The service list (public)")
@router.get("/services.json", response_model=list[ServiceOut], include_in_schema=False)
async def services(intake: IntakeDep, jurisdiction_id: str | None = None) -> list[ServiceOut]:
    return [ServiceOut(service_code=c.code, service_name=c.name_zh, description=c.name_en,
                       keywords=",".join(c.keywords)) for c in intake.catalog.categories.values()]


@router.post("/requests", status_code=201, summary=(
    "Create a service request (public, rate-limited like reports; Idempotency-Key honoured)"))
@router.post("/requests.json", status_code=201, include_in_schema=False)
async def create_request(
    request: Request, runtime: RuntimeDep, intake: IntakeDep, caller: Caller, _: None = PublicLimit,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key")] = None,
) -> JSONResponse:
    body = validated(Open311RequestIn, await _fields(request))
    tenant = body.jurisdiction_id or intake.settings.open311_jurisdiction
    if caller is not None:
        caller.check_tenant(tenant)
    name = " ".join(part for part in (body.last_name, body.first_name) if part) or None
    contact = Contact(name, body.phone, body.email)
    async with runtime.transaction() as session:
        fingerprint = idem.request_hash(body.model_dump(mode="json"))
        if idempotency_key is not None:
            earlier = await idem.claim(session, "open311", idempotency_key, fingerprint,
                                       caller=idem.caller_of(caller))
            if earlier is not None:
                return JSONResponse(earlier.body, status_code=earlier.status)
        receipt = await intake.submit(session, Submission(
            tenant=tenant, category=body.service_code, description=body.description,
            location=GeoPoint(lon=body.long, lat=body.lat), source=ReportSource.CITIZEN_APP,
            reporter_subject=caller.subject if caller else None, contact=contact,
            detail={"open311": {"address_string": body.address_string, "device_id": body.device_id,
                                "media_url": body.media_url}},
            category_field="service_code",
        ))
        notice = "已并入已有事件 / joined an open incident" if receipt.merged else "已受理 / received"
        answer: list[dict[str, Any]] = [{"service_request_id": str(receipt.report_id), "service_notice": notice,
                                         "account_id": None}]
        if idempotency_key is not None:
            await idem.remember(session, "open311", idempotency_key, 201, answer,
                                caller=idem.caller_of(caller))
    return JSONResponse(answer, status_code=201)


@router.get("/requests", response_model=list[ServiceRequestOut], summary="Search service requests (public)")
@router.get("/requests.json", response_model=list[ServiceRequestOut], include_in_schema=False)
async def list_requests(
    runtime: RuntimeDep, intake: IntakeDep, jurisdiction_id: TenantCode | None = None,
    service_request_id: str | None = None, service_code: str | None = None,
    start_date: datetime | None = None, end_date: datetime | None = None,
    status: Literal["open", "closed"] | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 1000,
) -> list[ServiceRequestOut]:
    ids = [_uuid(part, "service_request_id") for part in service_request_id.split(",")] if service_request_id else []
    async with runtime.sessions() as session:
        found = await report_store.search(session, jurisdiction_id or intake.settings.open311_jurisdiction, ids=ids,
                                          category=service_code, start=start_date, end=end_date, limit=limit)
        incidents = await incident_store.by_ids(session, [r.incident_id for r in found if r.incident_id])
    answers = [_request_out(intake, record, incidents.get(record.incident_id) if record.incident_id else None)
               for record in found]
    return [answer for answer in answers if status is None or answer.status == status]


@router.get("/requests/{request_id}", response_model=list[ServiceRequestOut],
            summary="One service request, as a one-element list (public); '.json' suffix accepted")
async def read_request(request_id: str, runtime: RuntimeDep, intake: IntakeDep,
                       jurisdiction_id: TenantCode | None = None) -> list[ServiceRequestOut]:
    report_id = _uuid(request_id.removesuffix(".json"), "service_request_id")
    async with runtime.sessions() as session:
        record = await report_store.get(session, report_id)
        incident = await incident_store.get(session, record.incident_id) if record and record.incident_id else None
    if record is None or record.tenant != (jurisdiction_id or record.tenant):
        raise NotFound(f"service request {request_id} does not exist")
    return [_request_out(intake, record, incident)]


def _request_out(intake: Intake, record: ReportRecord, incident: Incident | None) -> ServiceRequestOut:
    category = intake.catalog.get(record.category) if record.category else None
    closed = record.state is ReportState.DISMISSED or (
        incident is not None and incident.status is IncidentStatus.CLOSED)
    notes = incident.status.value if incident is not None else record.state.value
    return ServiceRequestOut(
        service_request_id=str(record.id), status="closed" if closed else "open", status_notes=notes,
        service_name=category.name_zh if category else None, service_code=record.category,
        description=scrub(record.description), requested_datetime=record.received_at,
        updated_datetime=incident.last_report_at if incident is not None else record.received_at,
        lat=record.location.lat, long=record.location.lon,
    )


async def _fields(request: Request) -> dict[str, Any]:
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("application/json"):
        try:
            data = await request.json()
        except ValueError:
            raise InvalidRequest("body: not JSON", errors=[{"field": "body", "reason": "not JSON"}]) from None
        return data if isinstance(data, dict) else {}
    if content_type.startswith("application/x-www-form-urlencoded"):
        # Decoded as UTF-8 here: form parsers read raw non-ASCII bytes as Latin-1, and clients
        # such as `curl -d` send Chinese text without percent-encoding it.
        try:
            return dict(parse_qsl((await request.body()).decode("utf-8"), keep_blank_values=True))
        except UnicodeDecodeError:
            raise InvalidRequest("body: form fields must be UTF-8",
                                 errors=[{"field": "body", "reason": "not UTF-8"}]) from None
    form = await request.form()
    return {key: value for key, value in form.items() if isinstance(value, str)}


def _uuid(value: str, field: str) -> UUID:
    try:
        return UUID(value)
    except ValueError:
        raise InvalidRequest(f"{field}: {value!r} is not a request id",
                             errors=[{"field": field, "reason": "not a request id"}]) from None
