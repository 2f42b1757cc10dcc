"""Case-penalty's Kafka edge: hand-offs in, one case each; a kept mediation agreement decided (调解不罚).

The consumer's inbox drops a redelivered event; the unique request_id drops a second event
for the same hand-off (a producer retry with a new event id), and the unique mediation_id a
second case for one mediation, so none opens a case twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from oneteam_case_penalty.agreements import agreement_kept
from oneteam_case_penalty.domain.mediated import KeptAgreement
from oneteam_case_penalty.opening import Opening, open_case
from oneteam_case_penalty.runtime import CaseRuntime
from oneteam_contracts import CaseOrigin, CaseRequested, Envelope, MediationAgreementKept, MediationFailed
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
                                                "mediation.failed": bound(on_mediation_failed),
                                                "mediation.agreement_kept": bound(on_agreement_kept)},
                         prompt=False)]  # a case file opens in minutes, not milliseconds


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
        request_id=failed.request_id, incident_id=failed.incident_id, mediation_id=failed.mediation_id),
        actor="mediation")


async def on_agreement_kept(runtime: CaseRuntime, session: AsyncSession, event: Envelope[Any]) -> None:
    """A kept agreement: with 调解不罚 grounds, the mediation's case is decided without penalty."""
    kept: MediationAgreementKept = event.data
    if event.tenant not in runtime.tenants:
        log.warning("mediation.agreement_kept %s for tenant %s, which has no catalogue here; skipped",
                    event.id, event.tenant)
        return
    await agreement_kept(runtime, session, event.tenant, KeptAgreement(
        mediation_id=kept.mediation_id, category=kept.category, no_penalty_grounds=kept.no_penalty_grounds,
        kept_at=kept.kept_at), incident_id=kept.incident_id)
