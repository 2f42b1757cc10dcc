"""Assignments, their deadlines and the incidents dispatch is matching."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import bindparam, delete, exists, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from oneteam_contracts import AssignmentOutcome, GeoPoint, Priority, SlaStage
from oneteam_dispatch.domain.assignments import OPEN_STATUSES, Assignment, AssignmentStatus, Member, Report
from oneteam_dispatch.store.tables import assignments, deadlines, incidents
from oneteam_servicekit.db import Prepared, named

_VALUE_COLUMNS = ("status", "reason", "officer_id", "officer_ids", "deadlines", "members", "sla_profile", "eta_s",
                  "runner_up_officer_id", "runner_up_eta_s", "escalated", "report", "updated_at")


def _values(a: Assignment, now: datetime) -> dict[str, Any]:
    return {
        "status": a.status.value, "reason": a.reason, "officer_id": a.officer_id, "officer_ids": a.officer_ids,
        "deadlines": {stage.value: at.isoformat() for stage, at in a.deadlines.items()},
        "members": [_member_json(m) for m in a.members], "sla_profile": a.sla_profile, "eta_s": a.eta_s,
        "runner_up_officer_id": a.runner_up_officer_id, "runner_up_eta_s": a.runner_up_eta_s,
        "escalated": sorted(s.value for s in a.escalated), "report": _report_json(a.report), "updated_at": now,
    }


# Built once and sent with a list of rows: a multi-row VALUES statement cannot be cached by
# SQLAlchemy and was compiled afresh for every match (6 % of dispatch at 100 reports/s, py-spy).
_INSERT = assignments.insert()
_SCHEDULE = insert(deadlines).on_conflict_do_nothing()


async def add_assignments(session: AsyncSession, made: Sequence[Assignment]) -> None:
    """Store new assignments and schedule their deadlines (a statement each, for all of them)."""
    if made:
        await session.execute(_INSERT, [
            dict(id=a.id, tenant=a.tenant, incident_id=a.incident_id, category=a.category, priority=a.priority.value,
                 lon=a.location.lon, lat=a.location.lat, created_at=a.created_at, **_values(a, a.created_at))
            for a in made])
        await add_deadlines(session, made)


async def add_deadlines(session: AsyncSession, made: Sequence[Assignment]) -> None:
    """Schedule every stage's deadline of each of `made` (after a reassignment the old rows go stale)."""
    rows = [{"assignment_id": a.id, "stage": stage.value, "due_at": due}
            for a in made for stage, due in a.deadlines.items()]
    if rows:
        await session.execute(_SCHEDULE, rows)


async def save_assignment(session: AsyncSession, a: Assignment, now: datetime) -> None:
    """Write back an assignment's changed state."""
    await session.execute(*assignment_update(a, now))


# Built once: an officer's step built, keyed and compiled its statements afresh each time, a
# third of the step's CPU (py-spy, load test).
_SAVE = update(assignments).where(assignments.c.id == bindparam("assignment_id")).values(
    {name: bindparam(f"assignment_{name}", type_=assignments.c[name].type) for name in _VALUE_COLUMNS})


def assignment_update(a: Assignment, now: datetime) -> Prepared:
    """The statement `save_assignment` runs, and its values (`oneteam_servicekit.db.Writes`)."""
    return _SAVE, {"assignment_id": a.id, **named("assignment_", _values(a, now))}


async def get_assignment(session: AsyncSession, assignment_id: UUID, *,
                         for_update: bool = False) -> Assignment | None:
    """One assignment, or None."""
    row = (await session.execute(_GET_FOR_UPDATE if for_update else _GET, {"assignment_id": assignment_id})).first()
    return _assignment(row._mapping) if row else None


# Built once: the officers' push channels read an order per notification.
_GET = select(assignments).where(assignments.c.id == bindparam("assignment_id"))
_GET_FOR_UPDATE = _GET.with_for_update()


# The incident's lock is a materialised CTE that the assignment's filter needs, so PostgreSQL
# takes it before it hands the assignment row up to be locked.
_LOCKED_INCIDENT = (select(incidents.c.id)
                    .where(incidents.c.id == select(assignments.c.incident_id)
                           .where(assignments.c.id == bindparam("assignment_id")).scalar_subquery())
                    .with_for_update().cte("locked_incident").prefix_with("MATERIALIZED"))
_LOCK = (select(assignments).where(assignments.c.id == bindparam("assignment_id"),
                                   exists(select(_LOCKED_INCIDENT.c.id)))
         .with_for_update(of=assignments))


async def lock_assignment(session: AsyncSession, assignment_id: UUID) -> Assignment | None:
    """One assignment locked after its incident (the lock order), in one round trip; or None."""
    row = (await session.execute(_LOCK, {"assignment_id": assignment_id})).first()
    return _assignment(row._mapping) if row else None


async def list_assignments(session: AsyncSession, *, tenant: str | None = None, incident_id: UUID | None = None,
                           officer_id: str | None = None, open_only: bool = False,
                           limit: int = 100, for_update: bool = False) -> list[Assignment]:
    """Assignments, newest first (locked, with `for_update`)."""
    query = select(assignments).order_by(assignments.c.created_at.desc()).limit(limit)
    if for_update:
        query = query.with_for_update()
    if tenant is not None:
        query = query.where(assignments.c.tenant == tenant)
    if incident_id is not None:
        query = query.where(assignments.c.incident_id == incident_id)
    if officer_id is not None:
        query = query.where(assignments.c.officer_ids.any_() == officer_id)
    if open_only:
        query = query.where(assignments.c.status.in_([s.value for s in OPEN_STATUSES]))
    return [_assignment(row._mapping) for row in (await session.execute(query)).all()]


async def due_deadlines(session: AsyncSession, now: datetime,
                        limit: int = 100) -> list[tuple[UUID, SlaStage, datetime]]:
    """Unfired deadlines due by `now`, claimed together with their assignment and incident rows.

    All three are locked in one statement with SKIP LOCKED: no other replica fires the same
    deadline, and an order someone is acting on right now (an officer acknowledging, the
    command centre overriding) is left for the next poll instead of waited for. Waiting
    there, while holding earlier orders' officers, is how the scheduler used to deadlock
    with officers' requests.
    """
    rows = (await session.execute(
        select(deadlines.c.assignment_id, deadlines.c.stage, deadlines.c.due_at)
        .join(assignments, assignments.c.id == deadlines.c.assignment_id)
        .join(incidents, incidents.c.id == assignments.c.incident_id)
        .where(deadlines.c.fired_at.is_(None), deadlines.c.due_at <= now)
        .order_by(deadlines.c.due_at).limit(limit)
        .with_for_update(skip_locked=True, of=[deadlines, assignments, incidents])
    )).all()
    return [(row.assignment_id, SlaStage(row.stage), row.due_at) for row in rows]


async def mark_fired(session: AsyncSession, assignment_id: UUID, stage: SlaStage, due: datetime,
                     now: datetime) -> None:
    """The deadline has been handled; it never fires again."""
    await session.execute(update(deadlines).where(
        deadlines.c.assignment_id == assignment_id, deadlines.c.stage == stage.value, deadlines.c.due_at == due,
    ).values(fired_at=now))


async def drop_open_deadlines(session: AsyncSession, assignment_ids: Sequence[UUID], now: datetime) -> None:
    """A closed or cancelled assignment's clock stops."""
    await session.execute(update(deadlines).where(
        deadlines.c.assignment_id.in_(list(assignment_ids)), deadlines.c.fired_at.is_(None)).values(fired_at=now))


async def purge_fired(session: AsyncSession, before: datetime) -> None:
    """Forget deadlines handled long ago."""
    await session.execute(delete(deadlines).where(deadlines.c.fired_at < before))


def _member_json(m: Member) -> dict[str, Any]:
    return {"officer_id": m.officer_id, "department": m.department,
            "acknowledged_at": m.acknowledged_at.isoformat() if m.acknowledged_at else None,
            "arrived_at": m.arrived_at.isoformat() if m.arrived_at else None,
            "arrival_distance_m": m.arrival_distance_m, "arrival_note": m.arrival_note}


def _report_json(r: Report | None) -> dict[str, Any] | None:
    if r is None:
        return None
    return {"outcome": r.outcome.value, "officer_id": r.officer_id, "notes": r.notes,
            "photo_ids": list(r.photo_ids), "reported_at": r.reported_at.isoformat()}


def _when(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _assignment(row: Any) -> Assignment:
    members = tuple(
        Member(m["officer_id"], m["department"], _when(m.get("acknowledged_at")), _when(m.get("arrived_at")),
               m.get("arrival_distance_m"), m.get("arrival_note"))
        for m in row["members"]
    ) or (Member(row["officer_id"], "comprehensive_enforcement"),)
    r = row["report"]
    report = Report(AssignmentOutcome(r["outcome"]), r["officer_id"], r["notes"], tuple(r["photo_ids"]),
                    datetime.fromisoformat(r["reported_at"])) if r else None
    return Assignment(
        id=row["id"], tenant=row["tenant"], incident_id=row["incident_id"], category=row["category"],
        priority=Priority(row["priority"]), location=GeoPoint(lon=row["lon"], lat=row["lat"]),
        status=AssignmentStatus(row["status"]), reason=row["reason"],
        deadlines={SlaStage(k): datetime.fromisoformat(v) for k, v in row["deadlines"].items()},
        created_at=row["created_at"], members=members, sla_profile=row["sla_profile"], eta_s=row["eta_s"],
        runner_up_officer_id=row["runner_up_officer_id"], runner_up_eta_s=row["runner_up_eta_s"],
        escalated=frozenset(SlaStage(s) for s in row["escalated"]), report=report,
    )
