"""What intake does, for every entry point alike: HTTP routes and Kafka handlers call these.

Each function runs inside the caller's transaction: the report, the incident change and the
outgoing event commit together or not at all.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy.ext.asyncio import AsyncSession

from oneteam_contracts import (
    Envelope,
    FeedbackReceived,
    GeoPoint,
    IncidentClosed,
    IncidentResolution,
    ReportSource,
    new_event,
)
from oneteam_eventbus import add_event, correlation_id
from oneteam_eventbus.outbox import outbox_values
from oneteam_intake.domain.catalog import CameraLabel, Catalog, Category
from oneteam_intake.domain.feedback import Rating, check_can_rate
from oneteam_intake.domain.geography import Areas, Placement
from oneteam_intake.domain.merging import find_duplicate, search_box, suppressed_by
from oneteam_intake.domain.privacy import has_text, scrub
from oneteam_intake.domain.ratelimit import TokenBuckets
from oneteam_intake.domain.reports import (
    Incident,
    IncidentStatus,
    Merged,
    NewReport,
    Opened,
    ReportState,
    join_incident,
    open_incident,
)
from oneteam_intake.photos import PhotoStorage
from oneteam_intake.settings import IntakeSettings
from oneteam_intake.store import incidents, reports
from oneteam_intake.store.reports import Contact, ReportRecord
from oneteam_servicekit.clock import Clock
from oneteam_servicekit.db import Writes, outbox_insertion
from oneteam_servicekit.errors import Conflict, InvalidRequest, NotFound

SOURCE = "intake"


@dataclass(frozen=True)
class Camera:
    """The camera and label behind a detection, for the suppression window."""

    camera_id: str
    label: CameraLabel


@dataclass(frozen=True)
class Submission:
    """A report from any source, validated at its edge."""

    tenant: str
    category: str | None
    description: str
    location: GeoPoint
    source: ReportSource
    origin: str | None = None  # who sent it, with external_id: re-sends are recognised
    external_id: str | None = None
    client_report_id: str | None = None
    reporter_subject: str | None = None
    contact: Contact | None = None
    photo_ids: tuple[str, ...] = ()
    detail: dict[str, Any] | None = None
    camera: Camera | None = None
    hold_for_review: bool = False
    category_field: str = "category"


@dataclass(frozen=True)
class Receipt:
    """What became of a report."""

    report_id: UUID
    tenant: str
    state: ReportState
    received_at: datetime
    incident: Incident | None = None
    merged: bool = False
    duplicate: bool = False
    district: str | None = None
    grid: str | None = None
    category: str | None = None

    @property
    def status(self) -> str:
        """The status a reporter sees: the incident's, or the report's while it waits."""
        return self.incident.status.value if self.incident is not None else self.state.value


@dataclass
class Intake:
    """Intake's configuration and adapters, and its use cases."""

    settings: IntakeSettings
    catalog: Catalog
    areas: Areas
    photos: PhotoStorage
    clock: Clock
    limits: TokenBuckets

    async def submit(self, session: AsyncSession, sub: Submission, caused_by: Envelope[Any] | None = None,
                     writes: Writes | None = None) -> Receipt:
        """Accept a report: a re-send returns the first receipt; otherwise it opens or joins an
        incident, or waits in the triage or review queue.

        Its writes go to the database as one statement at the end; a caller that passes `writes`
        adds its own (the idempotency answer) and runs them, before anything reads them back.
        """
        staged = writes if writes is not None else Writes()
        now = self.clock.now()
        if sub.origin is not None and sub.external_id is not None:
            await incidents.lock(session, f"external:{sub.tenant}:{sub.origin}:{sub.external_id}")
            earlier = await reports.find_external(session, sub.tenant, sub.origin, sub.external_id)
            if earlier is not None:
                return await self.receipt(session, earlier, duplicate=True)
        placement = self.areas.locate(sub.tenant, sub.location)
        category = self.catalog.require(sub.category, sub.category_field) if sub.category else None
        missing = await reports.missing_photos(session, sub.photo_ids)
        if missing:
            raise photos_missing(missing)
        record = ReportRecord(
            id=uuid4(), tenant=sub.tenant, incident_id=None, state=ReportState.TRIAGE, category=sub.category,
            description=sub.description, location=sub.location, source=sub.source, district=placement.district,
            grid=placement.grid, received_at=now, origin=sub.origin, external_id=sub.external_id,
            reporter_subject=sub.reporter_subject, photo_ids=list(sub.photo_ids), detail=sub.detail,
        )
        outcome: Opened | Merged | None = None
        if category is not None and sub.hold_for_review:
            record = _replace(record, state=ReportState.REVIEW)
        elif category is not None:
            outcome = await self._attach(session, record, category, placement, sub.camera, caused_by, staged)
            record = _replace(record, state=ReportState.ACCEPTED, incident_id=outcome.incident.id)
        staged.add(reports.insertion(record, sub.client_report_id))
        staged.add(reports.contact_insertion(record.id, sub.contact))
        if writes is None:
            await staged.run(session)
        return Receipt(record.id, record.tenant, record.state, now, outcome.incident if outcome else None,
                       isinstance(outcome, Merged), False, placement.district, placement.grid, record.category)

    async def lock_categories(self, session: AsyncSession, tenant: str, codes: Iterable[str | None]) -> None:
        """Take the merge locks of several categories at once, in one order.

        A batch holds each category's lock until it commits; taking them one by one as rows
        come would let two batches each hold one and wait for the other's (a deadlock).
        """
        for code in sorted({code for code in codes if code is not None}):
            await incidents.lock(session, category_lock(tenant, code))

    async def decide(self, session: AsyncSession, report_id: UUID, *, category: str | None, by: str,
                     tenant_check: Any = None) -> Receipt:
        """Triage or review: give a waiting report its category (→ an incident) or dismiss it (None)."""
        record = await reports.get(session, report_id, for_update=True)
        if record is None:
            raise NotFound(f"report {report_id} does not exist")
        if tenant_check is not None:
            tenant_check(record.tenant)
        if record.state not in (ReportState.TRIAGE, ReportState.REVIEW):
            same = (record.state is ReportState.DISMISSED and category is None) or (
                record.state is ReportState.ACCEPTED and category == record.category)
            if same:
                return await self.receipt(session, record)
            raise Conflict(f"report {report_id} was already decided: {record.state.value}")
        now = self.clock.now()
        if category is None:
            await reports.decide(session, record.id, ReportState.DISMISSED, incident_id=None,
                                 category=record.category, by=by, at=now)
            return await self.receipt(session, _replace(record, state=ReportState.DISMISSED))
        chosen = self.catalog.require(category)
        camera = self._camera_of(record)
        placement = Placement(record.district, record.grid)
        staged = Writes()
        outcome = await self._attach(session, _replace(record, received_at=now), chosen, placement, camera, None,
                                     staged)
        staged.add(reports.decision(record.id, ReportState.ACCEPTED, incident_id=outcome.incident.id,
                                    category=chosen.code, by=by, at=now))
        await staged.run(session)
        accepted = _replace(record, state=ReportState.ACCEPTED, incident_id=outcome.incident.id, category=chosen.code)
        return Receipt(record.id, record.tenant, accepted.state, record.received_at, outcome.incident,
                       isinstance(outcome, Merged), False, record.district, record.grid, chosen.code)

    async def rate(self, session: AsyncSession, record: ReportRecord, rating: Rating) -> bool:
        """The reporter rates the handling; `feedback.received` leaves with it. False for a repeat."""
        incident = await incidents.get(session, record.incident_id) if record.incident_id else None
        earlier = await reports.rating_of(session, record.id)
        comment = scrub(rating.comment) if rating.comment else None
        if not check_can_rate(incident.status if incident else None, earlier, Rating(rating.rating, comment)):
            return False
        assert incident is not None and record.category is not None
        now = self.clock.now()
        await reports.add_rating(session, record.id, incident.id, Rating(rating.rating, comment), now)
        await add_event(session, new_event(
            FeedbackReceived(incident_id=incident.id, report_id=record.id, category=incident.category,
                             source=record.source, rating=rating.rating, has_comment=has_text(comment),
                             received_at=now),
            source=SOURCE, tenant=record.tenant, subject=str(incident.id), correlation_id=correlation(),
        ))
        return True

    async def close(self, session: AsyncSession, incident_id: UUID, resolution: IncidentResolution,
                    note: str | None, tenant_check: Any = None) -> Incident:
        """Close an incident (command centre); `incident.closed` leaves with it."""
        incident = await incidents.get(session, incident_id, for_update=True)
        if incident is None:
            raise NotFound(f"incident {incident_id} does not exist")
        if tenant_check is not None:
            tenant_check(incident.tenant)
        if incident.status is IncidentStatus.CLOSED:
            if await incidents.resolution_of(session, incident_id) in (resolution.value, None):
                return incident
            raise Conflict(f"incident {incident_id} is already closed with another resolution")
        now = self.clock.now()
        await incidents.close(session, incident_id, resolution, now, note)
        await add_event(session, new_event(
            IncidentClosed(incident_id=incident_id, resolution=resolution, closed_at=now, has_note=has_text(note)),
            source=SOURCE, tenant=incident.tenant, subject=str(incident_id), correlation_id=correlation(),
        ))
        return await incidents.get(session, incident_id) or incident

    async def receipt(self, session: AsyncSession, record: ReportRecord, duplicate: bool = False) -> Receipt:
        """The receipt of a stored report, with its incident's current state."""
        incident = await incidents.get(session, record.incident_id) if record.incident_id else None
        return Receipt(record.id, record.tenant, record.state, record.received_at, incident, False, duplicate,
                       record.district, record.grid, record.category)

    async def _attach(self, session: AsyncSession, record: ReportRecord, category: Category, placement: Placement,
                      camera: Camera | None, caused_by: Envelope[Any] | None, writes: Writes) -> Opened | Merged:
        """Open or join an incident under the category's lock; its writes are staged in `writes`."""
        now = record.received_at
        report = NewReport(record.tenant, category.code, record.description, record.location, record.source)
        lock: str | None = category_lock(record.tenant, category.code)
        target: Incident | None = None
        if camera is not None:
            await incidents.lock(session, category_lock(record.tenant, category.code))
            lock = None
            found = await incidents.suppression(session, record.tenant, camera.camera_id, camera.label.label)
            if found is not None:
                target = suppressed_by(camera.label, found[0], found[1], now)
        if target is None:  # the lock, if not taken yet, comes with the search (one round trip)
            nearby = await incidents.open_near(session, record.tenant, category.code,
                                               search_box(record.location, category.dedup_radius_m),
                                               now - category.dedup_window, lock=lock)
            target = find_duplicate(record.tenant, category, record.location, nearby, now)
        outcome: Opened | Merged
        if target is not None:
            current = await incidents.get(session, target.id, for_update=True)
            assert current is not None
            outcome = join_incident(current, report, self.catalog, category, now, record.id)
            writes.add(incidents.merge_update(outcome.incident))
        else:
            outcome = open_incident(report, category, placement, now, record.id)
            writes.add(incidents.insertion(outcome.incident))
        if camera is not None:
            writes.add(incidents.suppression_upsert(record.tenant, camera.camera_id, camera.label.label,
                                                    outcome.incident.id, now))
        writes.add(outbox_insertion(outbox_values(new_event(
            outcome.event(), source=SOURCE, tenant=record.tenant, subject=str(outcome.incident.id),
            correlation_id=None if caused_by else correlation(), caused_by=caused_by,
        ))))
        return outcome

    def _camera_of(self, record: ReportRecord) -> Camera | None:
        detail = record.detail or {}
        label = self.catalog.for_camera(str(detail.get("label", "")))
        return Camera(str(detail["camera_id"]), label) if label is not None and "camera_id" in detail else None

    def signature_window(self) -> timedelta:
        """How far a platform push's timestamp may be from now."""
        return timedelta(seconds=self.settings.signature_window_s)


def photos_missing(photo_ids: Iterable[str]) -> InvalidRequest:
    """The refusal of a report listing photos that were never uploaded."""
    reason = f"not uploaded: {', '.join(photo_ids)}"
    return InvalidRequest(f"photo_ids: {reason}", errors=[{"field": "photo_ids", "reason": reason}])


def category_lock(tenant: str, category: str) -> str:
    """The lock that serialises merging into one tenant's incidents of one category."""
    return f"category:{tenant}:{category}"


def _replace(record: ReportRecord, **changes: Any) -> ReportRecord:
    return replace(record, **changes)


def correlation() -> UUID | None:
    """The request's correlation id, if it is a UUID (events carry it)."""
    value = correlation_id.get()
    try:
        return UUID(value) if value else None
    except ValueError:
        return None
