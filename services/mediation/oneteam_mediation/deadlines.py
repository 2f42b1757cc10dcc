"""What a deadline row does when it fires: a session reminder, or a time limit missed."""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from oneteam_contracts import (
    MediationDeadlineKind,
    MediationDeadlineMissed,
    MediationDeadlineWarning,
    MediationSessionReminder,
)
from oneteam_deadlines.scheduler import Due
from oneteam_mediation.domain import mediations as M
from oneteam_mediation.events import emit
from oneteam_mediation.recording import REMINDER, WARNING
from oneteam_mediation.store import mediations as store


async def on_deadline(session: AsyncSession, due: Due, now: datetime) -> None:
    """Remind of a session still to come, or mark a time limit missed — if its step is still undone."""
    m = await store.get(session, UUID(due.subject), for_update=True)
    if m is None:
        return
    if due.kind.startswith(REMINDER + "."):
        _, session_id, lead = due.kind.split(".")
        s = next((s for s in m.sessions if str(s.id) == session_id), None)
        # A moved or held session has no reminder left at this time.
        if s is not None and not (s.held or s.cancelled) and s.starts_at - timedelta(minutes=int(lead)) == due.due_at:
            await emit(session, MediationSessionReminder(mediation_id=m.id, session_id=s.id, starts_at=s.starts_at,
                                                         minutes_before=int(lead), reminded_at=now),
                       tenant=m.tenant, subject=m.id)
        return
    name, _, warning = due.kind.partition(".")
    kind = MediationDeadlineKind(name)
    if warning == WARNING:
        step_due = m.deadlines.get(kind)
        if step_due is not None and step_due - M.WARN_BEFORE[kind] == due.due_at:
            await emit(session, MediationDeadlineWarning(mediation_id=m.id, kind=kind, due_at=step_due, warned_at=now),
                       tenant=m.tenant, subject=m.id)
        return
    after = M.missed(m, kind, due.due_at)
    if after is None:
        return
    await store.save(session, after, now)
    await emit(session, MediationDeadlineMissed(mediation_id=m.id, kind=kind, due_at=due.due_at, missed_at=now),
               tenant=m.tenant, subject=m.id)
