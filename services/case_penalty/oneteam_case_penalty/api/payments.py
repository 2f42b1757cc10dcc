"""The payment platform's signed callback: a fine was paid (Art. 67)."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Request

from oneteam_case_penalty import steps
from oneteam_case_penalty.api.common import Cases
from oneteam_case_penalty.api.schemas import CallbackIn, now_or
from oneteam_case_penalty.domain.cases import CaseState
from oneteam_case_penalty.domain.signature import verify
from oneteam_servicekit import Unauthorized

router = APIRouter(prefix="/v1/payments", tags=["payments"])


@router.post("/callback", summary="Payment platform's callback, HMAC-signed like intake's platform pushes")
async def callback(request: Request, runtime: Cases) -> dict[str, object]:
    settings = runtime.case_settings
    if not settings.payment_callback_key:
        raise Unauthorized("payment callbacks are not configured")
    raw = await request.body()
    verify(settings.payment_callback_key.encode(), request.headers.get("x-oneteam-timestamp"),
           request.headers.get("x-oneteam-signature"), raw, now=runtime.clock.now(),
           window=timedelta(seconds=settings.signature_window_s))
    body = CallbackIn.model_validate_json(raw)
    async with runtime.transaction() as session:
        case = await steps.load(session, body.case_id, lambda c: c.tenant == body.tenant)
        if case.state is CaseState.PAID and case.paid and case.paid.get("receipt") == body.receipt:
            return {"case_id": str(case.id), "state": case.state.value, "duplicate": True}  # the platform retried
        after = await steps.pay(runtime, session, case, body.amount_fen, body.receipt,
                                now_or(body.paid_at, runtime.clock.now()), "platform", "payment_platform")
    return {"case_id": str(after.id), "state": after.state.value, "duplicate": False}
