"""Joint operations (综合查一次)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from oneteam_contracts import GeoPoint
from oneteam_dispatch.domain.joint import ChecklistItem, Finding, JointOperation
from oneteam_dispatch.store.tables import joint_operations


async def add_operation(session: AsyncSession, op: JointOperation) -> bool:
    """Store a planned operation; False when the target already has one this round."""
    inserted = (await session.execute(insert(joint_operations).values(
        id=op.id, tenant=op.tenant, target_id=op.target_id, target_name=op.target_name, lon=op.location.lon,
        lat=op.location.lat, round=op.round, members=op.members,
        checklist=[{"code": i.code, "department": i.department, "text": i.text} for i in op.checklist],
        findings=[], complete=False, created_at=op.created_at,
    ).on_conflict_do_nothing().returning(joint_operations.c.id))).first()
    return inserted is not None


async def get_operation(session: AsyncSession, operation_id: UUID, *,
                        for_update: bool = False) -> JointOperation | None:
    """One operation, or None."""
    query = select(joint_operations).where(joint_operations.c.id == operation_id)
    if for_update:
        query = query.with_for_update()
    row = (await session.execute(query)).first()
    return _operation(row._mapping) if row else None


async def list_operations(session: AsyncSession, tenant: str, finished_since: datetime,
                          limit: int) -> list[JointOperation]:
    """A tenant's open operations, and those planned since `finished_since` (newest first)."""
    query = (select(joint_operations)
             .where(joint_operations.c.tenant == tenant,
                    (joint_operations.c.complete.is_(False)) | (joint_operations.c.created_at >= finished_since))
             .order_by(joint_operations.c.created_at.desc()).limit(limit))
    return [_operation(row._mapping) for row in (await session.execute(query)).all()]


async def save_findings(session: AsyncSession, op: JointOperation) -> None:
    """Write back an operation's findings."""
    await session.execute(update(joint_operations).where(joint_operations.c.id == op.id).values(
        findings=[{"item_code": f.item_code, "officer_id": f.officer_id, "compliant": f.compliant,
                   "needs_enforcement": f.needs_enforcement, "note": f.note,
                   "recorded_at": f.recorded_at.isoformat()} for f in op.findings],
        complete=op.complete,
    ))


def _operation(row: Any) -> JointOperation:
    return JointOperation(
        id=row["id"], tenant=row["tenant"], target_id=row["target_id"], target_name=row["target_name"],
        location=GeoPoint(lon=row["lon"], lat=row["lat"]), round=row["round"], members=dict(row["members"]),
        checklist=tuple(ChecklistItem(i["code"], i["department"], i["text"]) for i in row["checklist"]),
        findings=tuple(Finding(f["item_code"], f["officer_id"], f["compliant"], f["needs_enforcement"], f["note"],
                               datetime.fromisoformat(f["recorded_at"])) for f in row["findings"]),
        created_at=row["created_at"],
    )
