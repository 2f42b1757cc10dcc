"""Mediated, no penalty (调解不罚): a kept mediation agreement on a listed matter ends its case.

Mediation decides whether the matter is on the tenant's 调解不罚 list (`no_penalty_grounds`);
this turns the kept agreement into the decision, with the explanation the procuratorate reads.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from oneteam_case_penalty.domain import facts as F
from oneteam_case_penalty.domain.cases import OPEN, Case, CaseState, Decided
from oneteam_case_penalty.domain.catalogue import NoPenaltyRule
from oneteam_case_penalty.domain.discretion import MEDIATED_ARTICLE, Check
from oneteam_contracts import DiscretionDecision
from oneteam_servicekit.errors import Conflict

# Art. 33 ¶3: a no-penalty decision still educates the party; mediation did so when it settled the matter.
EDUCATION = "调解协议已履行，对当事人进行了教育"


@dataclass(frozen=True)
class KeptAgreement:
    """What mediation reports of an agreement found kept at the follow-up visit (回访)."""

    mediation_id: UUID
    category: str
    no_penalty_grounds: bool
    kept_at: datetime


@dataclass(frozen=True)
class MediatedDecision:
    """The no-penalty decision and the check that explains it."""

    decided: Decided
    explanation: Check


def mediated_no_penalty(kept: KeptAgreement, *, actor: str, now: datetime) -> MediatedDecision | None:
    """The 调解不罚 decision for a kept agreement; None when the matter is not on the list."""
    if not kept.no_penalty_grounds:
        return None
    explanation = Check(
        rule=NoPenaltyRule.MEDIATED.value, article=MEDIATED_ARTICLE, applies=True,
        satisfied=(F.label(F.MEDIATED), f"mediation {kept.mediation_id} kept at {kept.kept_at.isoformat()}",
                   f"on the tenant's mediated list: {kept.category}"),
        failed=())
    decided = Decided(outcome=DiscretionDecision.NO_PENALTY_MEDIATED, fine_fen=0, warning=False, measures=[],
                      followed=True, reason=None, education=EDUCATION, decided_by=actor, decided_at=now,
                      recommended=DiscretionDecision.NO_PENALTY_MEDIATED, recommended_fine_fen=0)
    return MediatedDecision(decided, explanation)


def decide_mediated(case: Case, decision: MediatedDecision, *, mediation_id: UUID) -> Case:
    """An open case decided under 调解不罚: no filing, notice or hearing is owed for no penalty."""
    if case.state not in OPEN:
        raise Conflict(f"case is {case.state.value}; a mediated decision needs an open case", state=case.state.value)
    return case.model_copy(update={"state": CaseState.DECIDED, "decision": decision.decided, "deadlines": {},
                                   "mediation_id": mediation_id, "facts": sorted({*case.facts, F.MEDIATED})})


def close_mediated(case: Case, *, now: datetime) -> Case:
    """Closing (结案) a mediated no-penalty case: nothing to serve for payment, nothing to pay."""
    if case.state is not CaseState.DECIDED or case.decision is None \
            or case.decision.outcome is not DiscretionDecision.NO_PENALTY_MEDIATED:
        raise Conflict("only a case decided under 调解不罚 closes this way", state=case.state.value)
    return case.model_copy(update={"state": CaseState.CLOSED, "closed_at": now, "deadlines": {}})
