"""Mediations, their parties' contacts, and mediators' workload."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from oneteam_mediation.domain.mediations import Mediation, State
from oneteam_mediation.store.tables import mediations, party_contacts


def _row(m: Mediation, now: datetime) -> dict[str, object]:
    return {"tenant": m.tenant, "state": m.state.value, "origin": m.origin.value, "category": m.category,
            "mediator_id": m.mediator_id, "created_by": m.created_by, "request_id": m.request_id,
            "opened_at": m.opened_at, "concluded_at": m.concluded_at, "document": m.model_dump(mode="json"),
            "updated_at": now}


async def add(session: AsyncSession, m: Mediation, now: datetime) -> bool:
    """Insert a new mediation; False when its hand-off (request_id) already made one."""
    added = (await session.execute(
        insert(mediations).values(id=m.id, **_row(m, now)).on_conflict_do_nothing().returning(mediations.c.id)
    )).first()
    return added is not None


async def save(session: AsyncSession, m: Mediation, now: datetime) -> None:
    """Write the mediation's new state."""
    await session.execute(update(mediations).where(mediations.c.id == m.id).values(**_row(m, now)))


async def get(session: AsyncSession, mediation_id: UUID, *, for_update: bool = False) -> Mediation | None:
    """One mediation; locked for the transaction when it will change, so its writers take turns."""
    query = select(mediations.c.document).where(mediations.c.id == mediation_id)
    if for_update:
        query = query.with_for_update()
    document = (await session.execute(query)).scalar()
    return Mediation.model_validate(document) if document is not None else None


async def listed(session: AsyncSession, *, tenant: str, state: State | None = None, mediator_id: str | None = None,
                 created_by: str | None = None, limit: int = 100) -> list[Mediation]:
    """A tenant's mediations, newest first, filtered."""
    query = (select(mediations.c.document).where(mediations.c.tenant == tenant)
             .order_by(mediations.c.opened_at.desc()).limit(limit))
    if state is not None:
        query = query.where(mediations.c.state == state.value)
    if mediator_id is not None:
        query = query.where(mediations.c.mediator_id == mediator_id)
    if created_by is not None:
        query = query.where(mediations.c.created_by == created_by)
    return [Mediation.model_validate(d) for d in (await session.execute(query)).scalars()]


async def workload(session: AsyncSession, tenant: str) -> dict[str, int]:
    """Open mediations per mediator of the tenant."""
    rows = (await session.execute(
        select(mediations.c.mediator_id, func.count()).where(
            mediations.c.tenant == tenant, mediations.c.state != State.CONCLUDED.value,
            mediations.c.mediator_id.is_not(None)).group_by(mediations.c.mediator_id))).all()
    return {str(mediator): int(count) for mediator, count in rows}


async def keep_contact(session: AsyncSession, mediation_id: UUID, party_id: str, contact: dict[str, str]) -> None:
    """Keep a party's contact apart from the mediation; the newest wins."""
    statement = insert(party_contacts).values(mediation_id=mediation_id, party_id=party_id, contact=contact)
    await session.execute(statement.on_conflict_do_update(
        index_elements=[party_contacts.c.mediation_id, party_contacts.c.party_id],
        set_={"contact": statement.excluded.contact}))


async def contacts(session: AsyncSession, mediation_id: UUID) -> dict[str, dict[str, str]]:
    """The parties' contacts of one mediation, by party id."""
    rows = (await session.execute(select(party_contacts).where(party_contacts.c.mediation_id == mediation_id))).all()
    return {r.party_id: dict(r.contact) for r in rows}
