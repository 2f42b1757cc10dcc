"""The reopen use case, shared by the reporter's and the command centre's routes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from oneteam_contracts import ReopenReason, new_event
from oneteam_eventbus import add_event
from oneteam_intake.domain import reopen as rules
from oneteam_intake.domain.reopen import Reopening
from oneteam_intake.domain.reports import Incident
from oneteam_intake.service import SOURCE, Intake, correlation
from oneteam_intake.store import incidents
from oneteam_servicekit.errors import NotFound


def window_of(intake: Intake, tenant: str) -> timedelta:
    """The tenant's reopen window (its config, else the rule's default)."""
    found = intake.areas.tenants.get(tenant)
    return (found.reopen_window if found is not None else None) or rules.DEFAULT_WINDOW


async def reopen(intake: Intake, session: AsyncSession, incident_id: UUID, reason: ReopenReason, *, by: str,
                 by_reporter: bool, comment: str | None = None,
                 tenant_check: Callable[[str], None] | None = None) -> Reopening:
    """Reopen a closed incident within its tenant's window; `incident.reopened` leaves with it."""
    incident: Incident | None = await incidents.get(session, incident_id, for_update=True)
    if incident is None:
        raise NotFound(f"incident {incident_id} does not exist")
    if tenant_check is not None:
        tenant_check(incident.tenant)
    reopening = rules.reopen(incident, reason, by_reporter=by_reporter, window=window_of(intake, incident.tenant),
                             now=intake.clock.now())
    await incidents.reopen(session, reopening, by, comment)
    await add_event(session, new_event(
        reopening.event(), source=SOURCE, tenant=incident.tenant, subject=str(incident_id),
        correlation_id=correlation(),
    ))
    return reopening
