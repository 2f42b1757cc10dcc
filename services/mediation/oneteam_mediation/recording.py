"""What every change of a mediation does besides its rule: save, keep its deadlines and
reminders in step, and tell the topics when it concludes (and the case service when it fails)."""

from __future__ import annotations

from datetime import datetime
from uuid import NAMESPACE_URL, uuid5

from sqlalchemy.ext.asyncio import AsyncSession

from oneteam_contracts import MediationConcluded, MediationFailed, MediationFailure, ReferralTarget
from oneteam_deadlines.scheduler import cancel, schedule
from oneteam_mediation.domain.mediations import WARN_BEFORE, Mediation, State
from oneteam_mediation.domain.scheduling import reminder_times
from oneteam_mediation.events import emit
from oneteam_mediation.runtime import MediationRuntime
from oneteam_mediation.store import bookings as booking_store
from oneteam_mediation.store import mediations as store

REMINDER = "reminder"
WARNING = "warning"


async def record(runtime: MediationRuntime, session: AsyncSession, before: Mediation | None, after: Mediation,
                 now: datetime) -> bool:
    """Persist `after` (new when `before` is None); False when its hand-off already made one."""
    if before is None:
        if not await store.add(session, after, now):
            return False
    else:
        await store.save(session, after, now)
    await sync_deadlines(runtime, session, after, now)
    if after.state is State.CONCLUDED and (before is None or before.state is not State.CONCLUDED):
        await _concluded(session, after, now)
    return True


async def sync_deadlines(runtime: MediationRuntime, session: AsyncSession, m: Mediation, now: datetime) -> None:
    """Make the scheduled rows match the open time limits and the reminders still ahead."""
    subject = str(m.id)
    await cancel(session, subject=subject)
    for kind, due in m.deadlines.items():
        await schedule(session, subject=subject, kind=kind.value, due_at=due, tenant=m.tenant)
        if due - WARN_BEFORE[kind] > now:
            await schedule(session, subject=subject, kind=f"{kind.value}.{WARNING}", due_at=due - WARN_BEFORE[kind],
                           tenant=m.tenant)
    if m.state is State.CONCLUDED:
        return
    leads = runtime.tenant(m.tenant).registry.reminder_minutes
    for s in m.sessions:
        if s.held or s.cancelled:
            continue
        for lead, at in reminder_times(s.starts_at, leads, now):
            await schedule(session, subject=subject, kind=f"{REMINDER}.{s.id}.{lead}", due_at=at, tenant=m.tenant)


async def _concluded(session: AsyncSession, m: Mediation, now: datetime) -> None:
    assert m.outcome is not None
    await booking_store.release(session, m.id, now)
    await emit(session, MediationConcluded(
        mediation_id=m.id, origin=m.origin, incident_id=m.incident_id, category=m.category, outcome=m.outcome,
        referral=m.referral, no_penalty_grounds=m.no_penalty_grounds, on_time=m.on_time, concluded_at=now),
        tenant=m.tenant, subject=m.id)
    if m.referral is ReferralTarget.CASE:
        # One request id per mediation, so a retried referral cannot open a second case.
        await emit(session, MediationFailed(
            request_id=uuid5(NAMESPACE_URL, f"oneteam:mediation:{m.id}:referral"), mediation_id=m.id,
            incident_id=m.incident_id, category=m.category, reason=m.failure or MediationFailure.NO_AGREEMENT,
            failed_at=now), tenant=m.tenant, subject=m.id)
