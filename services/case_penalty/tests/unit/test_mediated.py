"""调解不罚: a kept mediation agreement on a listed matter becomes a no-penalty decision that explains itself."""

from datetime import timedelta
from uuid import uuid4

import pytest

from oneteam_case_penalty.domain import cases as C
from oneteam_case_penalty.domain.cases import CaseState
from oneteam_case_penalty.domain.decisions import NO_PENALTY, PartyKind
from oneteam_case_penalty.domain.discretion import MEDIATED_ARTICLE
from oneteam_case_penalty.domain.mediated import (
    EDUCATION,
    KeptAgreement,
    close_mediated,
    decide_mediated,
    mediated_no_penalty,
)
from oneteam_contracts import CaseOrigin, DeadlineKind, DiscretionDecision
from oneteam_deadlines import WorkingCalendar
from oneteam_servicekit.errors import Conflict

from .factories import NOW


def kept(grounds: bool = True) -> KeptAgreement:
    return KeptAgreement(mediation_id=uuid4(), category="dispute", no_penalty_grounds=grounds,
                         kept_at=NOW - timedelta(hours=1))


def opened() -> C.Case:
    return C.open_case(id=uuid4(), tenant="330106004", origin=CaseOrigin.MEDIATION, category="dispute",
                       item_codes=[], departments=["comprehensive_enforcement"], officer_id="unassigned",
                       party_kind=PartyKind.PERSON, now=NOW, filing_days=15, calendar=WorkingCalendar())


def test_a_kept_agreement_with_grounds_is_decided_no_penalty_mediated_with_education_and_its_article() -> None:
    agreement = kept()
    decision = mediated_no_penalty(agreement, actor="mediation", now=NOW)

    assert decision is not None
    assert decision.decided.outcome is DiscretionDecision.NO_PENALTY_MEDIATED
    assert decision.decided.outcome in NO_PENALTY
    assert decision.decided.fine_fen == 0 and not decision.decided.warning and decision.decided.followed
    assert decision.decided.education == EDUCATION  # Art. 33 ¶3: education recorded for every no-penalty decision
    assert decision.explanation.article == MEDIATED_ARTICLE and decision.explanation.applies
    assert decision.explanation.rule == "mediated" and not decision.explanation.failed
    assert any(str(agreement.mediation_id) in s for s in decision.explanation.satisfied)


def test_a_kept_agreement_without_grounds_decides_nothing() -> None:
    assert mediated_no_penalty(kept(grounds=False), actor="mediation", now=NOW) is None


def test_an_open_case_is_decided_then_closed_with_no_deadline_left() -> None:
    agreement = kept()
    decision = mediated_no_penalty(agreement, actor="mediation", now=NOW)
    assert decision is not None
    case = opened()
    assert DeadlineKind.FILING in case.deadlines

    decided = decide_mediated(case, decision, mediation_id=agreement.mediation_id)
    closed = close_mediated(decided, now=NOW)

    assert decided.state is CaseState.DECIDED and decided.mediation_id == agreement.mediation_id
    assert "mediated_agreement_kept" in decided.facts and decided.deadlines == {}
    assert closed.state is CaseState.CLOSED and closed.closed_at == NOW and C.on_time(closed)


def test_a_case_no_longer_open_is_not_decided_again() -> None:
    agreement = kept()
    decision = mediated_no_penalty(agreement, actor="mediation", now=NOW)
    assert decision is not None
    closed = close_mediated(decide_mediated(opened(), decision, mediation_id=agreement.mediation_id), now=NOW)

    with pytest.raises(Conflict):
        decide_mediated(closed, decision, mediation_id=agreement.mediation_id)
    with pytest.raises(Conflict):
        close_mediated(opened(), now=NOW)
