"""AI cameras: batches of detections (street vendors, misparked e-bikes, ...)."""

from __future__ import annotations

from collections import Counter
from typing import Literal
from uuid import UUID

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.ext.asyncio import AsyncSession

from oneteam_contracts import GeoPoint, ReportSource, TenantCode, UtcDatetime
from oneteam_intake.api.deps import Centre
from oneteam_intake.api.deps import IntakeDep as IntakeDependency
from oneteam_intake.domain.detections import Verdict, judge
from oneteam_intake.service import Camera, Intake, Submission
from oneteam_servicekit import DomainError, RuntimeDep

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
    "are reported as duplicates."))
async def receive_detections(body: DetectionBatchIn, runtime: RuntimeDep, intake: IntakeDependency,
                             caller: Centre) -> DetectionBatchOut:
    caller.check_tenant(body.tenant)
    results: list[DetectionResult] = []
    async with runtime.transaction() as session:
        labels = (intake.catalog.for_camera(d.label) for d in body.detections)
        await intake.lock_categories(session, body.tenant, (label.category for label in labels if label))
        for detection in body.detections:
            # A savepoint each: a refused detection leaves no trace, the others still count.
            async with session.begin_nested():
                results.append(await _one(session, intake, body.tenant, detection))
    return DetectionBatchOut(counts=dict(Counter(r.outcome for r in results)), results=results)


async def _one(session: AsyncSession, intake: Intake, tenant: str, detection: DetectionIn) -> DetectionResult:
    label = intake.catalog.for_camera(detection.label)
    if label is None:
        return DetectionResult(detection_id=detection.detection_id, outcome="rejected",
                               reason=f"label: {detection.label!r} is not in the category catalog")
    category = intake.catalog.require(label.category)
    verdict = judge(label, category, detection.confidence)
    if verdict is Verdict.IGNORE:
        return DetectionResult(detection_id=detection.detection_id, outcome="ignored",
                               reason=f"confidence {detection.confidence} is below {label.ignore_below}")
    try:
        receipt = await intake.submit(session, Submission(
            tenant=tenant, category=category.code,
            description=f"AI camera {detection.camera_id}: {category.name_zh} / {category.name_en} "
                        f"({detection.label}, confidence {detection.confidence:.2f})",
            location=detection.location, source=ReportSource.AI_CAMERA,
            origin=f"camera:{detection.camera_id}", external_id=detection.detection_id,
            detail={"camera_id": detection.camera_id, "label": detection.label, "confidence": detection.confidence,
                    "box": detection.box, "snapshot_ref": detection.snapshot_ref,
                    "detected_at": detection.detected_at.isoformat()},
            camera=Camera(detection.camera_id, label), hold_for_review=verdict is Verdict.REVIEW,
        ))
    except DomainError as error:
        return DetectionResult(detection_id=detection.detection_id, outcome="rejected", reason=error.detail)
    outcome: Outcome = ("duplicate" if receipt.duplicate else "review" if receipt.incident is None
                        else "merged" if receipt.merged else "opened")
    return DetectionResult(detection_id=detection.detection_id, outcome=outcome, report_id=receipt.report_id,
                           incident_id=receipt.incident.id if receipt.incident else None)
