"""AI-camera batches, set-based: a few statements for the whole batch instead of several per detection.

A batch of 200 detections sent one by one through `Intake.submit` cost some nine round trips
each (a savepoint, two locks, the re-send look-up, the suppression row, the nearby search, the
row lock, the writes, the release): py-spy put 72 % of the route's samples under
`AsyncSession.execute`. Here the batch takes its locks and reads what it needs in four
statements, decides every detection in memory in the order sent (`domain.detections.BatchPlacement`,
the same rules), locks the incidents it joins, and writes everything in one statement
(`store.batches`). The category locks are held to the commit, so batches of one tenant pass
one at a time: the work between them is kept short. The rules are the single path's:
re-sent detection ids are duplicates, thresholds and the auto-dispatch list decide review,
the camera's suppression window and the nearby-incident rule decide merging, a detection
outside the tenant is rejected alone, and each incident's events leave in the order decided.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol
from uuid import UUID, uuid4

from sqlalchemy.ext.asyncio import AsyncSession

from oneteam_contracts import GeoPoint, ReportSource, new_event
from oneteam_eventbus.outbox import outbox_values
from oneteam_intake.domain.catalog import CameraLabel, Category
from oneteam_intake.domain.detections import BatchPlacement, Verdict, judge
from oneteam_intake.domain.geography import Placement
from oneteam_intake.domain.merging import search_box
from oneteam_intake.domain.reports import Incident, Merged, NewReport, ReportState
from oneteam_intake.service import SOURCE, Intake, correlation
from oneteam_intake.store import batches, incidents
from oneteam_servicekit.errors import DomainError


class Detection(Protocol):
    """One detection as the edge validated it."""

    @property
    def detection_id(self) -> str: ...
    @property
    def camera_id(self) -> str: ...
    @property
    def label(self) -> str: ...
    @property
    def confidence(self) -> float: ...
    @property
    def box(self) -> list[float] | None: ...
    @property
    def snapshot_ref(self) -> str | None: ...
    @property
    def detected_at(self) -> datetime: ...
    @property
    def location(self) -> GeoPoint: ...


@dataclass(frozen=True)
class Result:
    """What became of one detection: opened, merged, review, ignored, duplicate or rejected."""

    detection_id: str
    outcome: str
    report_id: UUID | None = None
    incident_id: UUID | None = None
    reason: str | None = None


_NOWHERE = Placement(None, None)


@dataclass(slots=True)
class _Kept:
    """A detection that becomes a report (an incident's, or one waiting for review)."""

    index: int
    detection: Detection
    label: CameraLabel
    category: Category
    review: bool
    report_id: UUID
    description: str
    placement: Placement = _NOWHERE  # until the detection's point is located


async def receive(session: AsyncSession, intake: Intake, tenant: str,
                  detections: Sequence[Detection]) -> list[Result]:
    """Accept one batch inside the caller's transaction; one result per detection, in the order sent."""
    results: list[Result | None] = [None] * len(detections)
    candidates = _judge(intake, detections, results)
    located = _locate(intake, tenant, candidates)  # before the locks: it needs no database
    externals = [(_origin(c.detection), c.detection.detection_id) for c in candidates]
    # Category locks first, in one order (as a batch always took them), then the re-send locks.
    await incidents.lock_all(session, [f"category:{tenant}:{code}" for code in sorted({c.category.code
                                                                                      for c in candidates})]
                             + [f"external:{tenant}:{o}:{e}" for o, e in sorted(set(externals))])
    earlier = await batches.sent_before(session, tenant, set(externals))

    kept: list[_Kept] = []
    first_in_batch: dict[tuple[str, str], int] = {}
    for candidate, external, placed in zip(candidates, externals, located, strict=True):
        if external in earlier:
            report_id, incident_id = earlier[external]
            results[candidate.index] = Result(candidate.detection.detection_id, "duplicate", report_id, incident_id)
        elif external in first_in_batch:
            continue  # a repeat within the batch is answered after the first
        elif isinstance(placed, DomainError):
            first_in_batch[external] = candidate.index
            results[candidate.index] = Result(candidate.detection.detection_id, "rejected", reason=placed.detail)
        else:
            first_in_batch[external] = candidate.index
            candidate.placement = placed
            kept.append(candidate)

    plan, report_rows, events = await _decide(session, intake, tenant, kept, results)
    for index, detection in enumerate(detections):
        if results[index] is None:
            first = results[first_in_batch[(_origin(detection), detection.detection_id)]]
            assert first is not None  # a refused first is refused again; a stored one is a duplicate
            results[index] = (first if first.outcome == "rejected" else
                              Result(detection.detection_id, "duplicate", first.report_id, first.incident_id))

    suppressed = [{"tenant": tenant, "camera_id": camera, "label": label, "incident_id": fed, "last_seen_at": at}
                  for (camera, label), (fed, at) in plan.suppressions.items() if (camera, label) in plan.touched]
    await batches.write(session, opened=plan.opened_now(), merged=plan.merged_earlier(), report_rows=report_rows,
                        suppressed=suppressed, events=events)
    return [result for result in results if result is not None]


async def _decide(session: AsyncSession, intake: Intake, tenant: str, kept: list[_Kept], results: list[Result | None],
                  ) -> tuple[BatchPlacement, list[dict[str, Any]], list[dict[str, Any]]]:
    """Place the kept detections on what the database holds, locking the incidents joined."""
    accepted = [k for k in kept if not k.review]
    plan, loaded = await _plan(session, intake, tenant, accepted, lock=False)
    report_rows, events = _place(intake, tenant, plan, kept, results)
    joined = [incident.id for incident in plan.merged_earlier()]
    current = await batches.lock_joined(session, joined)
    if any(current.get(incident_id) != loaded[incident_id] for incident_id in joined):
        # One changed between the read and its lock (dispatch moved it on, staff raised its
        # priority): decide the batch again on every candidate locked, as it stands now.
        plan, _ = await _plan(session, intake, tenant, accepted, lock=True)
        report_rows, events = _place(intake, tenant, plan, kept, results)
    return plan, report_rows, events


def _locate(intake: Intake, tenant: str, items: list[_Kept]) -> list[Placement | DomainError]:
    """Each detection's district and grid, or why its point is refused (all of them, for an unknown tenant)."""
    if not items:
        return []
    try:
        return list(intake.areas.locate_many(tenant, [item.detection.location for item in items]))
    except DomainError as error:
        return [error] * len(items)


def _judge(intake: Intake, detections: Sequence[Detection], results: list[Result | None]) -> list[_Kept]:
    """Unknown labels are rejected and low confidence ignored (their results filled in); the rest go on."""
    candidates: list[_Kept] = []
    for index, detection in enumerate(detections):
        label = intake.catalog.for_camera(detection.label)
        if label is None:
            results[index] = Result(detection.detection_id, "rejected",
                                    reason=f"label: {detection.label!r} is not in the category catalog")
            continue
        category = intake.catalog.require(label.category)
        verdict = judge(label, category, detection.confidence)
        if verdict is Verdict.IGNORE:
            results[index] = Result(detection.detection_id, "ignored",
                                    reason=f"confidence {detection.confidence} is below {label.ignore_below}")
            continue
        candidates.append(_Kept(index, detection, label, category, verdict is Verdict.REVIEW, uuid4(),
                                _description(detection, category)))
    return candidates


def _place(intake: Intake, tenant: str, plan: BatchPlacement, kept: list[_Kept],
           results: list[Result | None]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Decide each kept detection in the order sent: its report row, its event, its result."""
    report_rows: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    correlation_id = correlation()  # the request's, the same for every event of the batch
    for item in kept:
        now = intake.clock.now()
        if item.review:
            report_rows.append(_report_row(tenant, item, None, now))
            results[item.index] = Result(item.detection.detection_id, "review", item.report_id)
            continue
        outcome = plan.place(item.report_id, _new_report(tenant, item), item.category, item.placement, now,
                             (item.detection.camera_id, item.label))
        incident_id = outcome.incident.id
        events.append(outbox_values(new_event(outcome.event(), source=SOURCE, tenant=tenant, subject=str(incident_id),
                                              correlation_id=correlation_id)))
        report_rows.append(_report_row(tenant, item, incident_id, now))
        results[item.index] = Result(item.detection.detection_id, "merged" if isinstance(outcome, Merged)
                                     else "opened", item.report_id, incident_id)
    return report_rows, events


async def _plan(session: AsyncSession, intake: Intake, tenant: str, accepted: list[_Kept], *,
                lock: bool) -> tuple[BatchPlacement, dict[UUID, Incident]]:
    """Load what the accepted detections may join (suppression rows first, then incidents) and start
    a plan; also the incidents as loaded."""
    suppressions = await batches.suppressions(session, tenant, {(k.detection.camera_id, k.label.label)
                                                                for k in accepted})
    now = intake.clock.now()
    searches = sorted({(tenant, k.category.code, search_box(k.detection.location, k.category.dedup_radius_m),
                        now - k.category.dedup_window) for k in accepted})
    # A suppression row past its label's window decides nothing (`suppressed_by`): its incident is not loaded.
    windows = {k.label.label: k.label.suppress_window for k in accepted}
    fed = sorted({incident_id for (_, label), (incident_id, seen) in suppressions.items()
                  if now - seen <= windows[label]})
    known = await batches.incidents_for(session, fed, searches, lock=lock)
    return BatchPlacement(intake.catalog, known, suppressions), {incident.id: incident for incident in known}


def _origin(detection: Detection) -> str:
    return f"camera:{detection.camera_id}"


def _new_report(tenant: str, item: _Kept) -> NewReport:
    return NewReport(tenant, item.category.code, item.description, item.detection.location, ReportSource.AI_CAMERA)


def _description(d: Detection, category: Category) -> str:
    return (f"AI camera {d.camera_id}: {category.name_zh} / {category.name_en} "
            f"({d.label}, confidence {d.confidence:.2f})")


def _report_row(tenant: str, item: _Kept, incident_id: UUID | None, now: datetime) -> dict[str, Any]:
    """The columns `batches.write` stores for one report."""
    d = item.detection
    return {
        "id": item.report_id, "incident_id": incident_id, "tenant": tenant, "source": ReportSource.AI_CAMERA.value,
        "client_report_id": None, "reporter_subject": None, "photo_ids": [], "received_at": now,
        "state": (ReportState.REVIEW if item.review else ReportState.ACCEPTED).value,
        "category": item.category.code, "description": item.description, "lon": d.location.lon,
        "lat": d.location.lat, "district": item.placement.district, "grid": item.placement.grid,
        "origin": _origin(d), "external_id": d.detection_id,
        "detail": {"camera_id": d.camera_id, "label": d.label, "confidence": d.confidence, "box": d.box,
                   "snapshot_ref": d.snapshot_ref, "detected_at": d.detected_at.isoformat()},
    }
