"""Mediation's Kafka edge: mediation.requested from dispatch, one mediation each.

The consumer's inbox drops a redelivered event; the unique request_id drops a second event
for the same hand-off (a producer retry with a new event id), so neither opens a mediation twice.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from oneteam_contracts import Envelope, MediationOrigin, MediationRequested
from oneteam_eventbus import Handler
from oneteam_mediation.opening import Opening, open_mediation
from oneteam_mediation.runtime import MediationRuntime
from oneteam_servicekit import Subscription

GROUP = "mediation.handoffs"


def subscriptions(runtime: MediationRuntime) -> list[Subscription]:
    """The consumer group and its handler, bound to `runtime` (main hands it in; nothing imports main)."""

    async def requested(session: AsyncSession, event: Envelope[Any]) -> None:
        await on_mediation_requested(runtime, session, event)

    handlers: dict[str, Handler] = {"mediation.requested": requested}
    return [Subscription(group=GROUP, handlers=handlers, prompt=False)]  # a mediator is found in minutes


async def on_mediation_requested(runtime: MediationRuntime, session: AsyncSession, event: Envelope[Any]) -> None:
    """An officer found a dispute on site: accept it; the mediator names the parties and asks consent."""
    request: MediationRequested = event.data
    if event.tenant not in runtime.tenants:
        return  # another deployment's tenant; nothing to do here
    await open_mediation(runtime, session, Opening(
        tenant=event.tenant, origin=MediationOrigin.REQUEST, category=request.category,
        request_id=request.request_id, incident_id=request.incident_id, handoff_notes=request.notes or None),
        actor=f"dispatch:{request.officer_id}")
