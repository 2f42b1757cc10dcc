"""What every intake route shares: the use cases, the caller, roles, limits, responses."""

from __future__ import annotations

import math
import time
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError
from starlette.datastructures import UploadFile

from oneteam_intake.domain.privacy import mask_email, mask_name, mask_phone
from oneteam_intake.domain.ratelimit import RateLimited
from oneteam_intake.photos import ALLOWED_TYPES, photo_id, sniff
from oneteam_intake.service import Intake
from oneteam_intake.store import reports as report_store
from oneteam_intake.store.reports import Contact
from oneteam_intake.submissions import ReportBatcher
from oneteam_servicekit import Runtime
from oneteam_servicekit.auth import Principal, Role, optional_principal, require
from oneteam_servicekit.errors import DomainError

M = TypeVar("M", bound=BaseModel)


async def get_intake(request: Request) -> Intake:
    """Dependency: intake's use cases, wired in `main` (async: a plain def would cost a thread hop)."""
    intake: Intake = request.app.state.intake
    return intake


IntakeDep = Annotated[Intake, Depends(get_intake)]


async def get_report_batcher(request: Request) -> ReportBatcher:
    """Dependency: the process's group commit of mobile apps' reports, wired in `main`."""
    batcher: ReportBatcher = request.app.state.report_batcher
    return batcher


ReportBatcherDep = Annotated[ReportBatcher, Depends(get_report_batcher)]
Caller = Annotated[Principal | None, Depends(optional_principal)]

STAFF = (Role.GRID_WORKER, Role.OFFICER, Role.COMMANDER, Role.ADMIN)
CENTRE = (Role.COMMANDER, Role.ADMIN)
Staff = Annotated[Principal, Depends(require(*STAFF))]
Centre = Annotated[Principal, Depends(require(*CENTRE))]
Importer = Annotated[Principal, Depends(require(Role.GRID_WORKER, Role.COMMANDER, Role.ADMIN))]


class TooLarge(DomainError):
    """The upload is bigger than the configured limit."""

    type = "too-large"
    title = "Payload too large"
    status = 413


class UnsupportedType(DomainError):
    """The upload is not of an accepted type."""

    type = "unsupported-media-type"
    title = "Unsupported media type"
    status = 415


async def public_rate_limit(request: Request, caller: Caller, intake: IntakeDep) -> None:
    """Dependency: limit anonymous and citizen submissions per client (staff are not limited).

    The client is the token's subject when there is one, else its address: the peer's, or the
    last one a trusted proxy added to X-Forwarded-For.
    """
    if caller is not None and caller.has(*STAFF):
        return
    client = f"user:{caller.subject}" if caller is not None else f"ip:{client_address(request, intake)}"
    wait = intake.limits.take(client, time.monotonic())
    if wait is not None:
        seconds = math.ceil(wait)
        raise RateLimited(f"too many submissions from this client; retry in {seconds} s", retry_after_s=seconds)


def client_address(request: Request, intake: Intake) -> str:
    """The caller's address, seen through the configured trusted proxies only."""
    peer = request.client.host if request.client else "-"
    trusted = intake.settings.trusted_proxies
    if peer not in trusted:
        return peer
    # Walk back from the nearest hop: the first address not of a trusted proxy is the client;
    # anything before it could have been written by the client itself.
    hops = [hop.strip() for hop in request.headers.get("x-forwarded-for", "").split(",") if hop.strip()]
    for hop in reversed(hops):
        if hop not in trusted:
            return hop
    return peer


PublicLimit = Depends(public_rate_limit)


def may_see_personal_data(caller: Principal | None) -> bool:
    """Only the command centre and admins see reporters' names and numbers unmasked."""
    return caller is not None and caller.has(*CENTRE)


class ContactOut(BaseModel):
    """A reporter's contact, masked unless the caller may see it."""

    name: str | None = None
    phone: str | None = None
    email: str | None = None
    masked: bool


def contact_out(contact: Contact | None, caller: Principal | None) -> ContactOut | None:
    """The contact as `caller` may see it."""
    if contact is None:
        return None
    if may_see_personal_data(caller):
        return ContactOut(name=contact.name, phone=contact.phone, email=contact.email, masked=False)
    return ContactOut(name=mask_name(contact.name), phone=mask_phone(contact.phone),
                      email=mask_email(contact.email), masked=True)


async def keep_photo(intake: Intake, runtime: Runtime, file: UploadFile, field: str) -> tuple[str, str, int]:
    """Store an uploaded photo (id = SHA-256, type from the bytes): (id, content type, size).

    413 beyond the configured size, 415 for anything but JPEG, PNG or WebP.
    """
    limit = intake.settings.photo_max_bytes
    content = await file.read(limit + 1)
    if len(content) > limit:
        raise TooLarge(f"{field}: a photo may be at most {limit} bytes", field=field)
    kind = sniff(content)
    if kind is None:
        raise UnsupportedType(f"{field}: not an image of an accepted type ({', '.join(ALLOWED_TYPES)})", field=field)
    identifier = photo_id(content)
    await intake.photos.put(identifier, content)  # first the bytes, then the row that points at them
    async with runtime.transaction() as session:
        await report_store.add_photo(session, identifier, kind, len(content), intake.clock.now())
    return identifier, kind, len(content)


def tenant_guard(caller: Principal) -> Any:
    """A callback refusing another tenant's data, for use cases that find the tenant themselves."""
    return caller.check_tenant


def validated(model: type[M], data: Any) -> M:
    """Validate input that did not come through FastAPI's body parsing, with the same 422."""
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise RequestValidationError(error.errors()) from None
