"""The payment platform's signed callback: a fine was paid (Art. 67)."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Request
from pydantic import ValidationError

from oneteam_case_penalty import steps
from oneteam_case_penalty.api.common import Cases
from oneteam_case_penalty.api.schemas import CallbackIn, now_or
from oneteam_case_penalty.domain.cases import CaseState
from oneteam_servicekit import InvalidRequest, Unauthorized
from oneteam_servicekit.openapi import problem_responses
from oneteam_servicekit.signatures import verify

router = APIRouter(prefix="/v1/payments", tags=["payments"])


# The body is read raw (the signature covers its bytes), so FastAPI cannot document it: the
# document says by hand what the platform sends, for the platform's developers and the fuzzer.
_SIGNED = {"requestBody": {"required": True,
                           "content": {"application/json": {"schema": CallbackIn.model_json_schema()}}},
           "parameters": [{"name": name, "in": "header", "required": True, "schema": {"type": "string"},
                           "description": why} for name, why in (
               ("X-OneTeam-Timestamp", "Unix seconds when the platform signed; within the signature window"),
               ("X-OneTeam-Signature", "sha256=<hex HMAC-SHA256 of '<timestamp>.<body bytes>' with the shared key>"))]}


@router.post("/callback", summary="Payment platform's callback, HMAC-signed like intake's platform pushes",
             responses=problem_responses(401, 404, 409, 422), openapi_extra=_SIGNED)
async def callback(request: Request, runtime: Cases) -> dict[str, object]:
    settings = runtime.case_settings
    if not settings.payment_callback_key:
        raise Unauthorized("payment callbacks are not configured")
    raw = await request.body()
    verify(settings.payment_callback_key.encode(), request.headers.get("x-oneteam-timestamp"),
           request.headers.get("x-oneteam-signature"), raw, now=runtime.clock.now(),
           window=timedelta(seconds=settings.signature_window_s))
    try:
        body = CallbackIn.model_validate_json(raw)
    except ValidationError as error:
        # The body is read raw (the signature covers its bytes), so its errors are mapped here.
        first = error.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or "body"
        raise InvalidRequest(f"{field}: {first['msg']}", field=field) from None
    async with runtime.transaction() as session:
        case = await steps.load(session, body.case_id, lambda c: c.tenant == body.tenant)
        if case.state is CaseState.PAID and case.paid and case.paid.get("receipt") == body.receipt:
            return {"case_id": str(case.id), "state": case.state.value, "duplicate": True}  # the platform retried
        after = await steps.pay(runtime, session, case, body.amount_fen, body.receipt,
                                now_or(body.paid_at, runtime.clock.now()), "platform", "payment_platform")
    return {"case_id": str(after.id), "state": after.state.value, "duplicate": False}
