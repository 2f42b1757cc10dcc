"""Dispatch follows what happens to an incident at intake: closed or reopened (a merge only
raises its priority: `store.incidents.set_priorities`).

Locks are taken in the one order every dispatch transaction uses (see ``lifecycle``):
the incident row, then its assignments, then the tenant's lock, then officers.
"""

from __future__ import annotations

import logging
from datetime import datetime
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from oneteam_contracts import IncidentReopened, IncidentResolution
from oneteam_dispatch.domain import assignments as rules
from oneteam_dispatch.domain.assignments import Assignment
from oneteam_dispatch.domain.incidents import IncidentState, cancellation_reason, follows_close, reopen_applies
from oneteam_dispatch.domain.officers import OfficerStatus
from oneteam_dispatch.events import emit
from oneteam_dispatch.locks import lock_tenant
from oneteam_dispatch.push import PENDING, notify, notify_orders
from oneteam_dispatch.store import assignments as assignment_store
from oneteam_dispatch.store import incidents as incident_store
from oneteam_dispatch.store import officers as officer_store

log = logging.getLogger(__name__)


async def close(session: AsyncSession, incident_id: UUID, resolution: IncidentResolution,
                now: datetime) -> list[Assignment]:
    """The incident ended at intake: withdraw its open orders, free their officers, leave the queue."""
    incident = await incident_store.get_incident(session, incident_id, for_update=True)
    if incident is None or not follows_close(incident.state):
        return []
    reason = cancellation_reason(resolution)
    cancelled: list[Assignment] = []
    for a in await assignment_store.list_assignments(session, incident_id=incident_id, open_only=True,
                                                     for_update=True):
        after, event = rules.cancel(a, reason, now)
        if event is None:
            continue
        await assignment_store.save_assignment(session, after, now)
        await emit(session, event, tenant=a.tenant, subject=a.id)
        cancelled.append(after)
    await assignment_store.drop_open_deadlines(session, [a.id for a in cancelled], now)
    await incident_store.set_state(session, [incident_id], IncidentState.CLOSED, f"closed at intake: {resolution}")
    await incident_store.unqueue(session, incident_id)
    if cancelled:
        await _stand_down(session, incident.tenant, cancelled)
    log.info("incident %s closed at intake (%s); %d order(s) cancelled", incident_id, resolution, len(cancelled))
    return cancelled


async def _stand_down(session: AsyncSession, tenant: str, cancelled: list[Assignment]) -> None:
    """Tell each officer's terminal, and free those who hold no other open order."""
    await lock_tenant(session, tenant)
    officer_ids = sorted({o for a in cancelled for o in a.officer_ids})
    busy = {o.id for o in await officer_store.list_officers(session, tenant, ids=officer_ids) if o.active_orders}
    free = [o for o in officer_ids if o not in busy]
    if free:
        await officer_store.set_status(session, free, OfficerStatus.AVAILABLE)
        await notify(session, PENDING, {"tenant": tenant})  # freed officers may serve waiting work
    await notify_orders(session, [(a.officer_ids, a.id) for a in cancelled], "cancelled")


async def reopen(session: AsyncSession, tenant: str, reopened: IncidentReopened, event_id: UUID | None,
                 correlation_id: UUID | None, now: datetime) -> bool:
    """Reopened at intake: the incident is matched again as new work; False when nothing changed.

    Its earlier orders stay on record under the same incident id, and officers who let it
    down before stay excluded; the new order's reason says it is a reopening.
    """
    incident = await incident_store.get_incident(session, reopened.incident_id, for_update=True)
    if not reopen_applies(incident.state if incident else None, incident.reopen_count if incident else 0,
                          reopened.reopen_count):
        return False
    await incident_store.reopen(
        session, id=reopened.incident_id, tenant=tenant, category=reopened.category, priority=reopened.priority,
        location=reopened.location, district=reopened.district, grid=reopened.grid,
        reopen_count=reopened.reopen_count, reason=f"reopened at intake ({reopened.reason})", event_id=event_id,
        correlation_id=correlation_id, reported_at=incident.reported_at if incident else reopened.reopened_at,
        now=now)
    await incident_store.unqueue(session, reopened.incident_id)
    await notify(session, PENDING, {"tenant": tenant})
    log.info("incident %s reopened at intake (%s, %d time(s))", reopened.incident_id, reopened.reason,
             reopened.reopen_count)
    return True
