"""Case-penalty's Kafka edge: hand-offs in, one case each.

The consumer's inbox drops a redelivered event; the unique request_id drops a second event
for the same hand-off (a producer retry with a new event id), so neither opens a case twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from oneteam_case_penalty.opening import Opening, open_case
from oneteam_case_penalty.runtime import CaseRuntime
from oneteam_contracts import CaseOrigin, CaseRequested, Envelope, MediationFailed
from oneteam_eventbus import Handler
from oneteam_servicekit import Subscription

GROUP = "case_penalty.handoffs"
log = logging.getLogger(__name__)


def subscriptions(runtime: CaseRuntime) -> list[Subscription]:
    """The consumer group and its handlers, bound to `runtime` (main hands it in; nothing imports main)."""

    def bound(step: Callable[[CaseRuntime, AsyncSession, Envelope[Any]], Any]) -> Handler:
        async def handle(session: AsyncSession, event: Envelope[Any]) -> None:
            await step(runtime, session, event)
        return handle

    return [Subscription(group=GROUP, handlers={"case.requested": bound(on_case_requested),
                                                "mediation.failed": bound(on_mediation_failed)})]


async def on_case_requested(runtime: CaseRuntime, session: AsyncSession, event: Envelope[Any]) -> None:
    """An officer's outcome or a joint finding: open a case for the officer who found it."""
    request: CaseRequested = event.data
    if event.tenant not in runtime.tenants:
        log.warning("case.requested %s for tenant %s, which has no catalogue here; skipped", event.id, event.tenant)
        return
    await open_case(runtime, session, Opening(
        tenant=event.tenant, origin=CaseOrigin.REQUEST, category=request.category, officer_id=request.officer_id,
        department=request.department, request_id=request.request_id, incident_id=request.incident_id,
        photo_ids=tuple(request.photo_ids)), actor=f"dispatch:{request.officer_id}")


async def on_mediation_failed(runtime: CaseRuntime, session: AsyncSession, event: Envelope[Any]) -> None:
    """Mediation ended without a kept agreement: the matter returns to enforcement."""
    failed: MediationFailed = event.data
    if event.tenant not in runtime.tenants:
        log.warning("mediation.failed %s for tenant %s, which has no catalogue here; skipped", event.id, event.tenant)
        return
    await open_case(runtime, session, Opening(
        tenant=event.tenant, origin=CaseOrigin.MEDIATION, category=failed.category, officer_id="unassigned",
        request_id=failed.request_id, incident_id=failed.incident_id), actor="mediation")
