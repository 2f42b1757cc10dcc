"""Other platforms and the 12345 hotline pushing reports: HMAC-signed webhooks."""

from __future__ import annotations

import json

from fastapi import APIRouter, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse

from oneteam_intake.api.deps import IntakeDep, validated
from oneteam_intake.api.schemas import ReceiptOut, receipt_out
from oneteam_intake.platforms import PlatformReportIn, submission
from oneteam_intake.store import reports as report_store
from oneteam_servicekit import Conflict, InvalidRequest, RuntimeDep
from oneteam_servicekit.openapi import problem_responses
from oneteam_servicekit.signatures import BadSignature, verify

router = APIRouter(prefix="/v1/inbound", tags=["platforms"])


class Replayed(Conflict):
    """The same signed request arrived twice."""

    type = "replayed"
    title = "Request replayed"


@router.post("/{platform}", response_model=ReceiptOut, status_code=201,
             responses={200: {"model": ReceiptOut}, **problem_responses(401)},
             summary=("A platform's report, signed: X-OneTeam-Timestamp (unix s) and X-OneTeam-Signature "
                      "(sha256=HMAC-SHA256(key, timestamp + '.' + body)). No JWT: the platform's key "
                      "authenticates it. 201 new, 200 for an external_id already received."))
async def receive(platform: str, request: Request, runtime: RuntimeDep, intake: IntakeDep) -> JSONResponse:
    key = intake.settings.platform_keys.get(platform)
    if key is None:
        raise BadSignature(f"no key is configured for platform {platform!r}")
    body = await request.body()
    now = intake.clock.now()
    signature = request.headers.get("x-oneteam-signature")
    verify(key.encode(), request.headers.get("x-oneteam-timestamp"), signature, body, now=now,
           window=intake.signature_window())
    try:
        payload = validated(PlatformReportIn, _json(body))
    except ValueError as error:
        raise InvalidRequest(f"body: not JSON: {error}", errors=[{"field": "body", "reason": "not JSON"}]) from None
    async with runtime.transaction() as session:
        assert signature is not None  # verify() refused a missing one
        if not await report_store.first_sighting(session, platform, signature, now,
                                                 now - 2 * intake.signature_window()):
            raise Replayed("this signed request was already received; sign a retry afresh")
        receipt = await intake.submit(session, submission(intake.catalog, platform, payload.tenant, payload))
    return JSONResponse(jsonable_encoder(receipt_out(receipt)), status_code=200 if receipt.duplicate else 201)


def _json(body: bytes) -> object:
    return json.loads(body)
