"""A decision's own rules: reasons for departing, education, Art. 29 ceiling, Art. 51 limits, Art. 72 surcharge."""

from datetime import date

import pytest

from oneteam_case_penalty.domain import facts as F
from oneteam_case_penalty.domain.decisions import Decision, PartyKind, check_decision, check_summary, late_surcharge_fen
from oneteam_case_penalty.domain.discretion import recommend
from oneteam_contracts import DiscretionDecision, Procedure
from oneteam_servicekit.errors import InvalidRequest

from .factories import NOW, item

VENDING = [item("street_vending_unapproved")]
REC = recommend(VENDING, {F.MINOR, F.CORRECTED, F.NO_HARM}, {}, [], NOW)


def test_following_the_recommendation_needs_no_reason_but_education_for_no_penalty() -> None:
    with pytest.raises(InvalidRequest, match="education"):
        check_decision(Decision(REC.outcome, 0, False), REC, VENDING, {}, Procedure.GENERAL, PartyKind.PERSON)
    assert check_decision(Decision(REC.outcome, 0, False, education="讲解《城市道路管理条例》"), REC, VENDING, {},
                          Procedure.GENERAL, PartyKind.PERSON)


def test_departing_from_the_recommendation_needs_a_reason() -> None:
    departing = Decision(DiscretionDecision.PENALTY, 100_00, False)
    with pytest.raises(InvalidRequest, match="give the reason"):
        check_decision(departing, REC, VENDING, {}, Procedure.GENERAL, PartyKind.PERSON)
    with_reason = Decision(DiscretionDecision.PENALTY, 100_00, False, reason="third time this month")
    assert not check_decision(with_reason, REC, VENDING, {}, Procedure.GENERAL, PartyKind.PERSON)


def test_the_fine_may_not_exceed_the_highest_applicable_maximum() -> None:
    too_much = Decision(DiscretionDecision.PENALTY, 20_001_00, False, reason="r")
    with pytest.raises(InvalidRequest, match=r"Art\. 29"):
        check_decision(too_much, REC, VENDING, {}, Procedure.GENERAL, PartyKind.ORGANISATION)


@pytest.mark.parametrize(("party", "allowed", "refused"), [(PartyKind.PERSON, 200_00, 201_00),
                                                           (PartyKind.ORGANISATION, 3_000_00, 3_001_00)])
def test_summary_procedure_limits_of_art_51(party: PartyKind, allowed: int, refused: int) -> None:
    check_summary(allowed, party)
    with pytest.raises(InvalidRequest, match=r"Art\. 51"):
        check_summary(refused, party)


def test_late_surcharge_is_three_percent_a_day_capped_at_the_fine() -> None:
    assert late_surcharge_fen(200_00, date(2026, 10, 15), date(2026, 10, 15)) == 0
    assert late_surcharge_fen(200_00, date(2026, 10, 15), date(2026, 10, 18)) == 18_00
    assert late_surcharge_fen(200_00, date(2026, 10, 15), date(2027, 1, 1)) == 200_00
