"""Queries on reports, reporters' contacts, feedback, photos and platform signatures."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Update, delete, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from oneteam_contracts import GeoPoint, ReportSource, Satisfaction
from oneteam_intake.domain.feedback import Rating
from oneteam_intake.domain.reports import ReportState
from oneteam_intake.store.tables import feedback, inbound_signatures, photos, reporter_contacts, reports
from oneteam_servicekit.db import Prepared, insert_all, named


@dataclass(frozen=True)
class Contact:
    """A reporter's personal data, as stored (mask before showing)."""

    name: str | None = None
    phone: str | None = None
    email: str | None = None

    def is_empty(self) -> bool:
        """Whether there is nothing to store."""
        return not (self.name or self.phone or self.email)


@dataclass(frozen=True)
class ReportRecord:
    """A stored report."""

    id: UUID
    tenant: str
    incident_id: UUID | None
    state: ReportState
    category: str | None
    description: str
    location: GeoPoint
    source: ReportSource
    district: str | None
    grid: str | None
    received_at: datetime
    origin: str | None
    external_id: str | None
    reporter_subject: str | None
    photo_ids: list[str]
    detail: dict[str, Any] | None


_INSERT = insert_all(reports, "report_", skip=("decided_by", "decided_at"))
_CONTACT = insert_all(reporter_contacts, "contact_")


def insertion(record: ReportRecord, client_report_id: str | None = None) -> Prepared:
    """The statement storing a report, and its values."""
    return _INSERT, named("report_", dict(
        id=record.id, incident_id=record.incident_id, tenant=record.tenant, source=record.source.value,
        client_report_id=client_report_id, received_at=record.received_at, state=record.state.value,
        category=record.category, description=record.description, lon=record.location.lon,
        lat=record.location.lat, district=record.district, grid=record.grid, origin=record.origin,
        external_id=record.external_id, reporter_subject=record.reporter_subject, photo_ids=record.photo_ids,
        detail=record.detail,
    ))


async def get(session: AsyncSession, report_id: UUID, *, for_update: bool = False) -> ReportRecord | None:
    """A report, or None."""
    query = select(reports).where(reports.c.id == report_id)
    if for_update:
        query = query.with_for_update()
    row = (await session.execute(query)).first()
    return _record(row._mapping) if row else None


async def find_external(session: AsyncSession, tenant: str, origin: str, external_id: str) -> ReportRecord | None:
    """The report a sender already sent under `external_id`, or None."""
    row = (await session.execute(select(reports).where(
        reports.c.tenant == tenant, reports.c.origin == origin, reports.c.external_id == external_id,
    ))).first()
    return _record(row._mapping) if row else None


async def waiting(session: AsyncSession, tenant: str | None, states: Sequence[ReportState],
                  limit: int) -> list[ReportRecord]:
    """Reports in the triage or review queue, oldest first."""
    query = (select(reports).where(reports.c.state.in_([s.value for s in states]))
             .order_by(reports.c.received_at).limit(limit))
    if tenant is not None:
        query = query.where(reports.c.tenant == tenant)
    return [_record(row._mapping) for row in (await session.execute(query)).all()]


async def decide(session: AsyncSession, report_id: UUID, state: ReportState, *, incident_id: UUID | None,
                 category: str | None, by: str, at: datetime) -> None:
    """Record a triage or review decision on a waiting report."""
    await session.execute(decision(report_id, state, incident_id=incident_id, category=category, by=by, at=at))


def decision(report_id: UUID, state: ReportState, *, incident_id: UUID | None, category: str | None, by: str,
             at: datetime) -> Update:
    """The statement recording a triage or review decision on a waiting report."""
    return update(reports).where(reports.c.id == report_id).values(
        state=state.value, incident_id=incident_id, category=category, decided_by=by, decided_at=at)


async def of_incident(session: AsyncSession, incident_id: UUID) -> list[tuple[ReportRecord, Contact | None]]:
    """The reports on an incident with their reporters' contacts, oldest first."""
    rows = (await session.execute(
        select(reports, reporter_contacts.c.name, reporter_contacts.c.phone, reporter_contacts.c.email)
        .outerjoin(reporter_contacts, reporter_contacts.c.report_id == reports.c.id)
        .where(reports.c.incident_id == incident_id).order_by(reports.c.received_at)
    )).all()
    result = []
    for row in rows:
        m = row._mapping
        contact = Contact(m["name"], m["phone"], m["email"])
        result.append((_record(m), None if contact.is_empty() else contact))
    return result


def contact_insertion(report_id: UUID, contact: Contact | None) -> Prepared | None:
    """The statement storing the reporter's personal data apart from the report (None: nothing to store)."""
    if contact is None or contact.is_empty():
        return None
    return _CONTACT, named("contact_", dict(report_id=report_id, name=contact.name, phone=contact.phone,
                                            email=contact.email))


async def contact_of(session: AsyncSession, report_id: UUID) -> Contact | None:
    """The reporter's contact, or None."""
    row = (await session.execute(select(reporter_contacts).where(reporter_contacts.c.report_id == report_id))).first()
    return Contact(row.name, row.phone, row.email) if row else None


async def rating_of(session: AsyncSession, report_id: UUID) -> Rating | None:
    """The reporter's rating, or None."""
    row = (await session.execute(select(feedback).where(feedback.c.report_id == report_id))).first()
    return Rating(Satisfaction(row.rating), row.comment) if row else None


async def add_rating(session: AsyncSession, report_id: UUID, incident_id: UUID, rating: Rating,
                     at: datetime) -> None:
    """Store the reporter's rating."""
    await session.execute(feedback.insert().values(
        report_id=report_id, incident_id=incident_id, rating=rating.rating.value, comment=rating.comment,
        received_at=at))


async def add_photo(session: AsyncSession, photo_id: str, content_type: str, size: int, at: datetime) -> None:
    """Record an uploaded photo (a second upload of the same bytes changes nothing)."""
    await session.execute(insert(photos).values(id=photo_id, content_type=content_type, size=size, uploaded_at=at)
                          .on_conflict_do_nothing())


async def photo_type(session: AsyncSession, photo_id: str) -> str | None:
    """The photo's content type, or None if no such photo was uploaded."""
    value = await session.scalar(select(photos.c.content_type).where(photos.c.id == photo_id))
    return str(value) if value is not None else None


async def missing_photos(session: AsyncSession, photo_ids: Sequence[str]) -> list[str]:
    """Those of `photo_ids` that were never uploaded."""
    if not photo_ids:
        return []
    found = set((await session.scalars(select(photos.c.id).where(photos.c.id.in_(list(photo_ids))))).all())
    return [photo_id for photo_id in photo_ids if photo_id not in found]


async def first_sighting(session: AsyncSession, platform: str, signature: str, at: datetime,
                         forget_before: datetime) -> bool:
    """Record a push's signature; False if it was seen before (a replay)."""
    await session.execute(delete(inbound_signatures).where(inbound_signatures.c.seen_at < forget_before))
    inserted = (await session.execute(
        insert(inbound_signatures).values(platform=platform, signature=signature[:100], seen_at=at)
        .on_conflict_do_nothing().returning(inbound_signatures.c.signature)
    )).first()
    return inserted is not None


def _record(row: Any) -> ReportRecord:
    return ReportRecord(
        id=row["id"], tenant=row["tenant"], incident_id=row["incident_id"], state=ReportState(row["state"]),
        category=row["category"], description=row["description"], location=GeoPoint(lon=row["lon"], lat=row["lat"]),
        source=ReportSource(row["source"]), district=row["district"], grid=row["grid"],
        received_at=row["received_at"], origin=row["origin"], external_id=row["external_id"],
        reporter_subject=row["reporter_subject"], photo_ids=list(row["photo_ids"] or []), detail=row["detail"],
    )


async def search(session: AsyncSession, tenant: str, *, ids: Sequence[UUID] = (), categories: Sequence[str] = (),
                 start: datetime | None = None, end: datetime | None = None,
                 limit: int = 1000) -> list[ReportRecord]:
    """Reports of a tenant, newest first (Open311 GET requests)."""
    query = select(reports).where(reports.c.tenant == tenant).order_by(reports.c.received_at.desc()).limit(limit)
    if ids:
        query = query.where(reports.c.id.in_(list(ids)))
    if categories:
        query = query.where(reports.c.category.in_(list(categories)))
    if start is not None:
        query = query.where(reports.c.received_at >= start)
    if end is not None:
        query = query.where(reports.c.received_at <= end)
    return [_record(row._mapping) for row in (await session.execute(query)).all()]
