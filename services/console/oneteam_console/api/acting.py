"""The commander's hand on the screen: candidates, assign or override, acknowledge, the timeline.

Assignments go through dispatch's own API with the user's token: dispatch checks the role,
the tenant and the officers' fit, and its answer (including a problem+json refusal) reaches
the page unchanged.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Response
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from oneteam_console.api.common import Console, Signed
from oneteam_console.domain.candidates import rank
from oneteam_console.domain.panels import unwrap
from oneteam_console.domain.timeline import timeline
from oneteam_console.feed import picture
from oneteam_console.upstream import Missing
from oneteam_servicekit import NotFound, Unavailable

router = APIRouter(prefix="/v1/console", tags=["acting"])
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)]
OfficerId = Annotated[str, StringConstraints(min_length=1, max_length=64)]


class OrderIn(BaseModel):
    """Officers to send and the reason, which goes on the order's record."""

    model_config = ConfigDict(extra="forbid")
    officer_ids: list[OfficerId] = Field(default=[], max_length=10)
    reason: Reason
    force: bool = False


def _passed_on(answer: Any) -> Response:
    return Response(answer.content, status_code=answer.status_code,
                    media_type=answer.headers.get("content-type", "application/json"))


@router.get("/incidents/{incident_id}/candidates", summary="Officers who could go, with ETA and reasons")
async def candidates(incident_id: UUID, caller: Signed, runtime: Console,
                     tenant: str | None = None) -> dict[str, Any]:
    caller.may("assign")
    chosen = caller.tenant(tenant)
    try:
        now = await picture(runtime, caller.token, chosen, datetime.now(UTC))
    except Missing as error:
        raise Unavailable(str(error)) from error
    incident = now.incidents.get(str(incident_id))
    if incident is None:
        raise NotFound(f"incident {incident_id} is not open in tenant {chosen}")
    try:
        entry = await runtime.upstream.get("dispatch", f"/v1/tenants/{chosen}/responsibilities/{incident['category']}",
                                           caller.token)
    except Missing:
        entry = None  # no entry: the category goes to the queue, any officer may be sent
    queued = next((q for q in now.queue if q["incident_id"] == str(incident_id)), None)
    return {"incident": incident, "entry": entry, "queue_reason": queued["reason"] if queued else None,
            "candidates": [c.as_json() for c in rank(list(now.officers.values()), incident, entry)]}


@router.post("/incidents/{incident_id}/assign", summary="Assign a queued incident (through dispatch)")
async def assign(incident_id: UUID, body: OrderIn, caller: Signed, runtime: Console) -> Response:
    caller.may("assign")
    answer = await runtime.upstream.send("dispatch", f"/v1/incidents/{incident_id}/assign", caller.token,
                                         body.model_dump())
    return _passed_on(answer)


@router.post("/assignments/{assignment_id}/reassign", summary="Override an order (through dispatch)")
async def reassign(assignment_id: UUID, body: OrderIn, caller: Signed, runtime: Console) -> Response:
    caller.may("override")
    answer = await runtime.upstream.send("dispatch", f"/v1/assignments/{assignment_id}/reassign", caller.token,
                                         body.model_dump())
    return _passed_on(answer)


@router.post("/alerts/{alert_key}/acknowledge", status_code=204, summary="Mark an alert as seen on the screen")
async def acknowledge(alert_key: Annotated[str, StringConstraints(min_length=1, max_length=200)],
                      caller: Signed, runtime: Console, tenant: str | None = None) -> Response:
    caller.may("acknowledge_alert")
    runtime.acknowledged.setdefault(caller.tenant(tenant), set()).add(alert_key)
    return Response(status_code=204)


@router.get("/incidents/{incident_id}/timeline", summary="Every report, order, stage, case and mediation event")
async def incident_timeline(incident_id: UUID, caller: Signed, runtime: Console,
                            tenant: str | None = None) -> dict[str, Any]:
    chosen = caller.tenant(tenant)
    up, token, ident = runtime.upstream, caller.token, str(incident_id)

    async def listed(service: str, path: str, **params: Any) -> list[Any]:
        try:
            found = await up.get(service, path, token, **params)
        except Missing:
            return []
        return [row for row in map(unwrap, found) if str(row.get("incident_id", ident)) == ident]

    reports, orders, cases, mediations = await asyncio.gather(
        listed("intake", f"/v1/incidents/{ident}/reports"),
        listed("dispatch", "/v1/assignments", incident_id=ident),
        listed("case_penalty", "/v1/cases", tenant=chosen, limit=200),
        listed("mediation", "/v1/mediations", tenant=chosen),
    )
    return {"incident_id": ident, "entries": timeline(reports, orders, cases, mediations)}
