"""Cases and the violations they found."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlalchemy import func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from oneteam_case_penalty.domain.cases import Case
from oneteam_case_penalty.domain.facts import PriorViolation
from oneteam_case_penalty.store.tables import cases, violations


def _row(case: Case, now: datetime) -> dict[str, object]:
    return {"tenant": case.tenant, "state": case.state.value, "category": case.category,
            "officer_id": case.officer_id, "party_ref": case.party_ref, "request_id": case.request_id,
            "mediation_id": case.mediation_id,
            "opened_at": case.opened_at, "decided_at": case.decision.decided_at if case.decision else None,
            "document": case.model_dump(mode="json"), "updated_at": now}


async def add_case(session: AsyncSession, case: Case, now: datetime) -> bool:
    """Insert a new case; False when its hand-off (request_id) or mediation already made one."""
    added = (await session.execute(
        pg_insert(cases).values(id=case.id, **_row(case, now)).on_conflict_do_nothing().returning(cases.c.id)
    )).first()
    return added is not None


async def save_case(session: AsyncSession, case: Case, now: datetime) -> None:
    """Write the case's new state."""
    await session.execute(update(cases).where(cases.c.id == case.id).values(**_row(case, now)))


async def get_case(session: AsyncSession, case_id: UUID, *, for_update: bool = False) -> Case | None:
    """One case; locked for the transaction when it will change, so writers of a case take turns."""
    query = select(cases.c.document).where(cases.c.id == case_id)
    if for_update:
        query = query.with_for_update()
    document = (await session.execute(query)).scalar()
    return Case.model_validate(document) if document is not None else None


async def case_for_request(session: AsyncSession, request_id: UUID) -> Case | None:
    """The case a hand-off opened, if any."""
    document = (await session.execute(select(cases.c.document).where(cases.c.request_id == request_id))).scalar()
    return Case.model_validate(document) if document is not None else None


async def case_for_mediation(session: AsyncSession, mediation_id: UUID) -> Case | None:
    """The case of a mediation, if any, locked for this transaction."""
    document = (await session.execute(
        select(cases.c.document).where(cases.c.mediation_id == mediation_id).with_for_update())).scalar()
    return Case.model_validate(document) if document is not None else None


async def list_cases(session: AsyncSession, *, tenant: str | None, officer_id: str | None = None,
                     state: str | None = None, decided_from: datetime | None = None,
                     decided_to: datetime | None = None, limit: int = 100) -> list[Case]:
    """Cases, newest first, filtered."""
    query = select(cases.c.document).order_by(cases.c.opened_at.desc()).limit(limit)
    if tenant is not None:
        query = query.where(cases.c.tenant == tenant)
    if officer_id is not None:
        query = query.where(cases.c.officer_id == officer_id)
    if state is not None:
        query = query.where(cases.c.state == state)
    if decided_from is not None:
        query = query.where(cases.c.decided_at >= decided_from)
    if decided_to is not None:
        query = query.where(cases.c.decided_at < decided_to)
    return [Case.model_validate(d) for d in (await session.execute(query)).scalars()]


async def count_cases(session: AsyncSession, tenant: str) -> int:
    """How many cases a tenant has (for tests and the board)."""
    return int((await session.execute(select(func.count()).where(cases.c.tenant == tenant))).scalar() or 0)


async def prior_violations(session: AsyncSession, party_ref: str, excluding: UUID) -> list[PriorViolation]:
    """Every violation found against the party, by every department, except in this case."""
    rows = (await session.execute(select(violations).where(violations.c.party_ref == party_ref,
                                                           violations.c.case_id != excluding))).all()
    return [PriorViolation(str(r.case_id), r.item_code, r.category, r.department, r.found_at) for r in rows]


async def add_violations(session: AsyncSession, case: Case, departments: dict[str, str], at: datetime) -> None:
    """Record the case's findings against its party (item → department)."""
    if case.party_ref is None:
        return
    await session.execute(insert(violations), [
        {"case_id": case.id, "item_code": code, "party_ref": case.party_ref, "category": case.category,
         "department": departments[code], "found_at": at} for code in case.item_codes])
