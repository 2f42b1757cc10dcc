"""A kept mediation agreement (调解不罚): the mediation's case decided without penalty and closed.

The case of the mediation is decided when one exists and is still open; otherwise a case is
opened for the matter, linked to the mediation and its incident, and decided at once.
"""

from __future__ import annotations

import logging
from dataclasses import asdict
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from oneteam_case_penalty import recording
from oneteam_case_penalty.domain import cases as C
from oneteam_case_penalty.domain.cases import OPEN, Case
from oneteam_case_penalty.domain.mediated import KeptAgreement, close_mediated, decide_mediated, mediated_no_penalty
from oneteam_case_penalty.events import emit
from oneteam_case_penalty.opening import Opening, finish_decision, open_case
from oneteam_case_penalty.runtime import CaseRuntime
from oneteam_case_penalty.store import cases as case_store
from oneteam_contracts import CaseClosed, CaseOrigin

log = logging.getLogger(__name__)
ACTOR = "mediation"


async def agreement_kept(runtime: CaseRuntime, session: AsyncSession, tenant: str, kept: KeptAgreement,
                         incident_id: UUID | None) -> Case | None:
    """Decide the mediation's case under 调解不罚; None when there are no grounds or it is decided already."""
    now = runtime.clock.now()
    decision = mediated_no_penalty(kept, actor=ACTOR, now=now)
    if decision is None:
        log.info("mediation %s: agreement kept without 调解不罚 grounds; no case", kept.mediation_id)
        return None
    case = await case_store.case_for_mediation(session, kept.mediation_id)
    if case is None:
        case = await open_case(runtime, session, Opening(
            tenant=tenant, origin=CaseOrigin.MEDIATION, category=kept.category, officer_id="unassigned",
            incident_id=incident_id, mediation_id=kept.mediation_id), actor=ACTOR)
        if case is None:  # a concurrent delivery opened it first
            return None
    elif case.tenant != tenant:
        log.warning("mediation %s: its case belongs to another tenant; skipped", kept.mediation_id)
        return None
    elif case.state not in OPEN:
        log.info("mediation %s: its case %s is %s already; nothing to decide", kept.mediation_id, case.id,
                 case.state.value)
        return None
    decided = decide_mediated(case, decision, mediation_id=kept.mediation_id)
    explanation = {"explanation": asdict(decision.explanation), "mediation_id": str(kept.mediation_id)}
    await finish_decision(runtime, session, decided, ACTOR, now, explanation)
    closed = close_mediated(decided, now=now)
    await recording.record(session, closed, "closed", ACTOR, now)
    await emit(session, CaseClosed(case_id=closed.id, outcome=decision.decided.outcome, on_time=C.on_time(closed),
                                   closed_at=now), tenant=closed.tenant, subject=closed.id)
    return closed
