"""AI cameras: batches of detections (street vendors, misparked e-bikes, ...)."""

from __future__ import annotations

from collections import Counter
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Header
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from oneteam_contracts import GeoPoint, TenantCode, UtcDatetime
from oneteam_intake import cameras
from oneteam_intake.api.deps import Centre
from oneteam_intake.api.deps import IntakeDep as IntakeDependency
from oneteam_servicekit import RuntimeDep
from oneteam_servicekit import idempotency as idem

router = APIRouter(prefix="/v1", tags=["AI cameras"])

Outcome = Literal["opened", "merged", "review", "ignored", "duplicate", "rejected"]


class DetectionIn(BaseModel):
    """One detection from a camera's analytics."""

    model_config = ConfigDict(extra="forbid")
    detection_id: str = Field(min_length=1, max_length=200, description="unique per camera; re-sends are ignored")
    camera_id: str = Field(min_length=1, max_length=100)
    label: str = Field(min_length=1, max_length=64, description="e.g. street_vendor, ebike_misparked")
    confidence: float = Field(ge=0, le=1)
    box: list[float] | None = Field(None, min_length=4, max_length=4, description="x, y, width, height in pixels")
    snapshot_ref: str | None = Field(None, max_length=500, description="where the camera platform keeps the frame")
    detected_at: UtcDatetime
    location: GeoPoint


class DetectionBatchIn(BaseModel):
    """Detections of one tenant's cameras, in one request."""

    model_config = ConfigDict(extra="forbid")
    tenant: TenantCode
    detections: list[DetectionIn] = Field(min_length=1, max_length=1000)


class DetectionResult(BaseModel):
    """What became of one detection."""

    detection_id: str
    outcome: Outcome
    report_id: UUID | None = None
    incident_id: UUID | None = None
    reason: str | None = None


class DetectionBatchOut(BaseModel):
    """Counts per outcome, and one result per detection in the order sent."""

    counts: dict[str, int]
    results: list[DetectionResult]


@router.post("/detections", response_model=DetectionBatchOut, summary=(
    "A batch of camera detections (commander, admin: the camera gateway's service account). Per label: "
    "below ignore_below → ignored, below review_below or not auto-dispatch → review queue, else an "
    "incident; the same camera and label within suppress_min feed one incident. Re-sent detection_ids "
    "are reported as duplicates; a retry with the same Idempotency-Key gets the first answer again."))
async def receive_detections(
    body: DetectionBatchIn, runtime: RuntimeDep, intake: IntakeDependency, caller: Centre,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key")] = None,
) -> JSONResponse:
    caller.check_tenant(body.tenant)
    who = idem.caller_of(caller)
    async with runtime.transaction() as session:
        if idempotency_key is not None:
            fingerprint = idem.request_hash(body.model_dump(mode="json"))
            earlier = await idem.claim(session, "detections", idempotency_key, fingerprint, caller=who)
            if earlier is not None:
                return JSONResponse(earlier.body, status_code=earlier.status)
        results = await cameras.receive(session, intake, body.tenant, body.detections)
        # Built by hand rather than through the response model: a 1 000-detection answer
        # validated again costs more than the batch's reads.
        answer = {"counts": dict(Counter(r.outcome for r in results)), "results": [
            {"detection_id": r.detection_id, "outcome": r.outcome,
             "report_id": str(r.report_id) if r.report_id else None,
             "incident_id": str(r.incident_id) if r.incident_id else None, "reason": r.reason} for r in results]}
        if idempotency_key is not None:
            await session.execute(idem.answer("detections", idempotency_key, 200, answer, caller=who))
    return JSONResponse(answer)
