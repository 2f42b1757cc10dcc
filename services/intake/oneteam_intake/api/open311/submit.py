"""POST requests.{fmt}: a GeoReport v2 request, form-encoded, JSON or multipart with `media`."""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Annotated, Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, Header, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.datastructures import UploadFile

from oneteam_contracts import CategoryCode, GeoPoint, ReportSource
from oneteam_intake.api.deps import Caller, IntakeDep, PublicLimit, UnsupportedType, keep_photo, validated
from oneteam_intake.api.open311.formats import OPEN311_ERRORS, Open311Route, format_of, render
from oneteam_intake.api.open311.services import tenant_of
from oneteam_intake.api.schemas import EMAIL_PATTERN, PHONE_PATTERN
from oneteam_intake.domain.open311 import check_attributes
from oneteam_intake.domain.tokens import report_token
from oneteam_intake.service import Submission
from oneteam_intake.store.reports import Contact
from oneteam_servicekit import InvalidRequest, RuntimeDep
from oneteam_servicekit import idempotency as idem
from oneteam_servicekit.text import forbidden_character

router = APIRouter(prefix="/open311/v2", tags=["Open311 GeoReport v2"], route_class=Open311Route,
                   responses=OPEN311_ERRORS)
_ATTRIBUTE = re.compile(r"^attribute\[([^\]]+)\](\[\])?$")


class Open311RequestIn(BaseModel):
    """POST requests fields (form-encoded as the standard says, JSON, or multipart with media)."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)
    jurisdiction_id: str | None = None
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
    account_id: str | None = Field(None, max_length=200)
    media_url: str | None = Field(None, max_length=1000)


@router.post("/requests.{fmt}", status_code=201, summary=(
    "Create a service request (public, rate-limited; Idempotency-Key honoured). Form-encoded, JSON, or "
    "multipart/form-data with a `media` photo; `attribute[code]` answers the service definition"))
@router.post("/requests", status_code=201, include_in_schema=False)
async def create_request(
    request: Request, runtime: RuntimeDep, intake: IntakeDep, caller: Caller, _: None = PublicLimit,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key")] = None,
) -> Response:
    format_of(request)
    pairs, media = await _fields(request)
    body = validated(Open311RequestIn, dict(pairs))
    tenant = tenant_of(intake, body.jurisdiction_id)
    if caller is not None:
        caller.check_tenant(tenant)
    attributes = check_attributes(intake.catalog.require(body.service_code, "service_code"), _attributes(pairs))
    photo = (await keep_photo(intake, runtime, media, "media"))[0] if media is not None else None
    name = " ".join(part for part in (body.last_name, body.first_name) if part) or None
    fingerprint = idem.request_hash({**body.model_dump(mode="json"), "attributes": attributes, "photo": photo})
    async with runtime.transaction() as session:
        if idempotency_key is not None:
            earlier = await idem.claim(session, "open311", idempotency_key, fingerprint, caller=idem.caller_of(caller))
            if earlier is not None:
                return render(request, "service_requests", earlier.body, earlier.status)
        receipt = await intake.submit(session, Submission(
            tenant=tenant, category=body.service_code, description=body.description,
            location=GeoPoint(lon=body.long, lat=body.lat), source=ReportSource.CITIZEN_APP,
            reporter_subject=caller.subject if caller else None, contact=Contact(name, body.phone, body.email),
            photo_ids=(photo,) if photo else (), category_field="service_code",
            detail={"open311": {"address_string": body.address_string, "device_id": body.device_id,
                                "media_url": body.media_url, "attributes": attributes}},
        ))
        notice = "已并入已有事件 / joined an open incident" if receipt.merged else "已受理 / received"
        # The token is the request id (requests are created at once); status_token lets the
        # reporter read back what they wrote: X-Report-Token on GET requests/{id}.
        answer: list[dict[str, Any]] = [{
            "service_request_id": str(receipt.report_id), "token": str(receipt.report_id), "service_notice": notice,
            "account_id": body.account_id,
            "status_token": report_token(intake.settings.report_token_secret.encode(), receipt.report_id)}]
        if idempotency_key is not None:
            await idem.remember(session, "open311", idempotency_key, 201, answer, caller=idem.caller_of(caller))
    return render(request, "service_requests", answer, 201)


async def _fields(request: Request) -> tuple[list[tuple[str, str]], UploadFile | None]:
    """The submitted fields as (name, value) pairs, and the `media` upload if there is one."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "application/json":
        data = await request.json()  # the service kit's guard has already refused broken JSON
        if not isinstance(data, dict):
            raise InvalidRequest("body: a JSON object is expected",
                                 errors=[{"field": "body", "reason": "not an object"}])
        return [(str(k), str(v)) for k, v in data.items() if v is not None], None
    if content_type == "application/x-www-form-urlencoded":
        # Decoded as UTF-8 here: form parsers read raw non-ASCII bytes as Latin-1, and clients
        # such as `curl -d` send Chinese text without percent-encoding it (the guard checked UTF-8).
        return parse_qsl((await request.body()).decode("utf-8"), keep_blank_values=True), None
    if content_type == "multipart/form-data":
        form = await request.form(max_files=1)
        pairs, media = [], None
        for key, value in form.multi_items():
            if isinstance(value, UploadFile):
                media = value if key == "media" else media
                continue
            reason = forbidden_character(value)  # the guard reads no multipart bodies
            if reason is not None:
                raise InvalidRequest(f"{key}: {reason}", errors=[{"field": key, "reason": reason}])
            pairs.append((key, value))
        return pairs, media
    raise UnsupportedType(f"Content-Type must be application/x-www-form-urlencoded, multipart/form-data or "
                          f"application/json, not {content_type or 'absent'}", field="body")


def _attributes(pairs: list[tuple[str, str]]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = defaultdict(list)
    for key, value in pairs:
        match = _ATTRIBUTE.match(key)
        if match:
            found[match.group(1)].append(value)
    return dict(found)
