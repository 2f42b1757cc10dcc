"""GET requests.{fmt}, requests/{id}.{fmt}, tokens/{id}.{fmt}, and the reporter's own media.

Anyone may read requests; they see the public view (`domain.open311`). The reporter, with the
status token from the POST answer (`X-Report-Token` or `?report_token=`), also sees what they
wrote and their photo.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import Response

from oneteam_intake.api.deps import IntakeDep
from oneteam_intake.api.open311.formats import OPEN311_ERRORS, Open311Route, format_of, render
from oneteam_intake.api.open311.services import tenant_of
from oneteam_intake.domain.open311 import public_place, request_status
from oneteam_intake.domain.reports import Incident
from oneteam_intake.domain.tokens import token_matches
from oneteam_intake.service import Intake
from oneteam_intake.store import incidents as incident_store
from oneteam_intake.store import reports as report_store
from oneteam_intake.store.reports import ReportRecord
from oneteam_servicekit import InvalidRequest, NotFound, RuntimeDep

router = APIRouter(prefix="/open311/v2", tags=["Open311 GeoReport v2"], route_class=Open311Route,
                   responses=OPEN311_ERRORS)
AGENCY = "OneTeam command centre (综合指挥中心)"
# The standard's default and largest search span.
SPAN = timedelta(days=90)
TokenHeader = Annotated[str | None, Header(alias="X-Report-Token", description="the reporter's status token")]
TokenQuery = Annotated[str | None, Query(alias="report_token", description="the status token, as a parameter")]


@router.get("/requests.{fmt}", summary=(
    "Search service requests (public view): service_request_id list (then other filters are ignored), "
    "service_code and status lists, start_date/end_date (default and at most 90 days)"))
@router.get("/requests", include_in_schema=False)
async def list_requests(
    request: Request, runtime: RuntimeDep, intake: IntakeDep, jurisdiction_id: str | None = None,
    service_request_id: str | None = None, service_code: str | None = None,
    start_date: datetime | None = None, end_date: datetime | None = None, status: str | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 1000,
) -> Response:
    format_of(request)
    tenant = tenant_of(intake, jurisdiction_id)
    ids = [_uuid(part) for part in _listed(service_request_id)]
    codes, statuses = _listed(service_code), _listed(status)
    unknown = [s for s in statuses if s not in ("open", "closed")]
    if unknown:
        raise InvalidRequest(f"status: {unknown[0]!r} is neither open nor closed")
    if ids:  # the standard: a list of ids overrides every other filter
        codes, statuses, start_date, end_date = [], [], None, None
    else:
        end_date = end_date or intake.clock.now()
        start_date = start_date or end_date - SPAN
        if end_date - start_date > SPAN:
            raise InvalidRequest("start_date: the span may be at most 90 days")
    async with runtime.sessions() as session:
        found = await report_store.search(session, tenant, ids=ids, categories=codes, start=start_date,
                                          end=end_date, limit=limit)
        incidents = await incident_store.by_ids(session, [r.incident_id for r in found if r.incident_id])
    shown = [_view(request, intake, r, incidents.get(r.incident_id) if r.incident_id else None, None)
             for r in found]
    return render(request, "service_requests", [v for v in shown if not statuses or v["status"] in statuses])


# Decorators register bottom-up: the suffixed path must come first, or the bare one would
# take "<id>.xml" as the id.
@router.get("/requests/{request_id}", include_in_schema=False)
@router.get("/requests/{request_id}.{fmt}", summary=(
    "One service request as a one-element list: the public view, or with the status token the reporter's"))
async def read_request(request: Request, request_id: str, runtime: RuntimeDep, intake: IntakeDep,
                       jurisdiction_id: str | None = None, token: TokenHeader = None,
                       token_query: TokenQuery = None) -> Response:
    format_of(request)
    record, incident = await _find(runtime, intake, request_id, jurisdiction_id)
    given = token or token_query
    mine = given is not None and token_matches(intake.settings.report_token_secret.encode(), record.id, given)
    return render(request, "service_requests", [_view(request, intake, record, incident, given if mine else None)])


@router.get("/tokens/{token_id}.{fmt}", summary="The service_request_id of a token (tokens are request ids here)")
async def read_token(request: Request, token_id: str, runtime: RuntimeDep, intake: IntakeDep,
                     jurisdiction_id: str | None = None) -> Response:
    format_of(request)
    record, _ = await _find(runtime, intake, token_id, jurisdiction_id)
    return render(request, "service_requests", [{"service_request_id": str(record.id), "token": token_id}])


@router.get("/media/{request_id}/{photo}", summary="The reporter's own photo (status token required)",
            response_class=Response)
async def read_media(request_id: UUID, photo: str, runtime: RuntimeDep, intake: IntakeDep,
                     token: TokenHeader = None, token_query: TokenQuery = None) -> Response:
    async with runtime.sessions() as session:
        record = await report_store.get(session, request_id)
        kind = await report_store.photo_type(session, photo)
    given = token or token_query or ""
    if (record is None or photo not in record.photo_ids or kind is None
            or not token_matches(intake.settings.report_token_secret.encode(), record.id, given)):
        raise NotFound(f"media {photo} of request {request_id} does not exist")  # no oracle for ids
    content = await intake.photos.get(photo)
    if content is None:
        raise NotFound(f"media {photo} of request {request_id} does not exist")
    return Response(content, media_type=kind)


async def _find(runtime: RuntimeDep, intake: Intake, request_id: str,
                jurisdiction_id: str | None) -> tuple[ReportRecord, Incident | None]:
    tenant = tenant_of(intake, jurisdiction_id) if jurisdiction_id else None
    async with runtime.sessions() as session:
        record = await report_store.get(session, _uuid(request_id))
        incident = await incident_store.get(session, record.incident_id) if record and record.incident_id else None
    if record is None or (tenant is not None and record.tenant != tenant):
        raise NotFound(f"service request {request_id} does not exist")
    return record, incident


def _view(request: Request, intake: Intake, record: ReportRecord, incident: Incident | None,
          token: str | None) -> dict[str, Any]:
    """The standard's request fields; what the reporter wrote only when `token` is theirs."""
    category = intake.catalog.get(record.category) if record.category else None
    place, address = public_place(intake.areas.tenants.get(record.tenant), record.grid, record.location)
    reopened = incident.reopen_count if incident is not None else 0
    view: dict[str, Any] = {
        "service_request_id": str(record.id), "status": request_status(record.state, incident),
        "status_notes": incident.status.value if incident is not None else record.state.value,
        "service_name": category.name_zh if category else None, "service_code": record.category,
        "description": None, "agency_responsible": AGENCY,
        "service_notice": f"重新打开 {reopened} 次 / reopened {reopened} time(s)" if reopened else None,
        "requested_datetime": record.received_at,
        "updated_datetime": incident.last_report_at if incident is not None else record.received_at,
        "expected_datetime": None, "address": address, "address_id": record.grid, "zipcode": None,
        "lat": place.lat, "long": place.lon, "media_url": None,
    }
    if token is not None:
        given_url = ((record.detail or {}).get("open311") or {}).get("media_url")
        base = str(request.base_url).rstrip("/")
        view.update(description=record.description, lat=record.location.lat, long=record.location.lon,
                    address=((record.detail or {}).get("open311") or {}).get("address_string") or address,
                    media_url=(f"{base}/open311/v2/media/{record.id}/{record.photo_ids[0]}?report_token={token}"
                               if record.photo_ids else given_url))
    return view


def _listed(value: str | None) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()] if value else []


def _uuid(value: str) -> UUID:
    try:
        return UUID(value)
    except ValueError:
        raise NotFound(f"service request {value!r} does not exist") from None
