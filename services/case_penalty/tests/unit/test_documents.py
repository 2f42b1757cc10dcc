"""Document numbers by the tenant's scheme, and what each document must say."""

from datetime import date
from uuid import uuid4

import pytest

from oneteam_case_penalty.domain import cases as C
from oneteam_case_penalty.domain.decisions import PartyKind
from oneteam_case_penalty.domain.documents import DocumentKind, check_issuable, compose, number
from oneteam_contracts import CaseOrigin, DiscretionDecision
from oneteam_deadlines import WorkingCalendar
from oneteam_servicekit.errors import Conflict

from .factories import NOW, item

ITEMS = [item("fire_exit_blocked_unit"), item("food_unlicensed")]


def decided_case(outcome: DiscretionDecision, fine_fen: int) -> C.Case:
    case = C.open_case(id=uuid4(), tenant="330106004", origin=CaseOrigin.MANUAL, category="fire_hazard",
                       item_codes=[i.code for i in ITEMS], departments=["fire_rescue", "market_regulation"],
                       officer_id="o-1", party_kind=PartyKind.ORGANISATION, now=NOW, filing_days=15,
                       calendar=WorkingCalendar())
    decided = C.Decided(outcome=outcome, fine_fen=fine_fen, warning=False, measures=["order_to_correct"],
                        followed=True, reason=None, education="讲解消防安全规定", decided_by="head", decided_at=NOW,
                        recommended=outcome, recommended_fine_fen=fine_fen)
    return case.model_copy(update={"decision": decided, "state": C.CaseState.DECIDED})


def test_numbers_follow_the_tenant_prefix_kind_year_and_sequence() -> None:
    assert number("西湖综执罚", DocumentKind.PENALTY_DECISION, 2026, 12) == "西湖综执罚决〔2026〕12号"
    assert number("西湖综执罚", DocumentKind.NO_PENALTY_DECISION, 2026, 3) == "西湖综执罚不罚〔2026〕3号"


def test_a_joint_penalty_decision_cites_every_basis_art_29_payment_terms_and_remedies() -> None:
    doc = compose(DocumentKind.PENALTY_DECISION, "N1", decided_case(DiscretionDecision.PENALTY, 50_000_00), ITEMS,
                  None, "法人或者其他组织", "综合行政执法队", date(2026, 10, 9))
    text = "".join(doc.lines)
    for expected in ("消防法", "食品安全法", "罚款50000元", "责令改正", "第二十九条", "十五日内", "六十日内"):
        assert expected in text, expected


def test_a_document_must_match_the_decision_made() -> None:
    penalty = decided_case(DiscretionDecision.PENALTY, 5_000_00)
    with pytest.raises(Conflict):
        check_issuable(penalty, DocumentKind.NO_PENALTY_DECISION)
    with pytest.raises(Conflict, match="prior notice"):
        check_issuable(penalty, DocumentKind.PRIOR_NOTICE)
    free = decided_case(DiscretionDecision.NO_PENALTY_FIRST, 0)
    text = "".join(compose(DocumentKind.NO_PENALTY_DECISION, "N2", free, ITEMS, None, "x", "y", date(2026, 10, 9))
                   .lines)
    assert "第三十三条第一款" in text and "讲解消防安全规定" in text
