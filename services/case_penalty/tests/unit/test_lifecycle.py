"""The general procedure's steps and their legal deadlines, counted in working days where the law says so."""

from datetime import date, datetime, timedelta
from uuid import uuid4

import pytest

from oneteam_case_penalty.domain import cases as C
from oneteam_case_penalty.domain.cases import CaseState, Decided
from oneteam_case_penalty.domain.decisions import Decision, PartyKind
from oneteam_contracts import CaseOrigin, DeadlineKind, DiscretionDecision, TransferTarget
from oneteam_deadlines import WorkingCalendar
from oneteam_deadlines.calendar import CHINA
from oneteam_servicekit.errors import Conflict

from .factories import NOW

CAL = WorkingCalendar()


def opened(**changes: object) -> C.Case:
    return C.open_case(id=uuid4(), tenant="330106004", origin=CaseOrigin.MANUAL, category="street_vending",
                       item_codes=["street_vending_unapproved"], departments=["comprehensive_enforcement"],
                       officer_id="o-1", party_kind=PartyKind.PERSON, now=NOW, filing_days=15, calendar=CAL,
                       **changes)


def decided(outcome: DiscretionDecision = DiscretionDecision.PENALTY, fine_fen: int = 200_00) -> Decided:
    return Decided(outcome=outcome, fine_fen=fine_fen, warning=False, measures=[], followed=True, reason=None,
                   education=None, decided_by="head", decided_at=NOW, recommended=outcome,
                   recommended_fine_fen=fine_fen)


def test_filing_is_due_fifteen_working_days_after_discovery_skipping_golden_week() -> None:
    # From Wed 30 Sep 2026: 8, 9, 10 (swapped Saturday), 12-16, 19-23, 26, 27 October → Tue 27 October.
    assert opened().deadlines[DeadlineKind.FILING].date() == date(2026, 10, 27)


def test_decision_is_due_ninety_days_after_filing_and_an_extension_is_recorded() -> None:
    case = C.file(opened(), filed=True, reason="facts clear", now=NOW)
    assert case.deadlines[DeadlineKind.DECISION] == NOW + timedelta(days=90)
    longer = C.extend(case, days=30, reason="complex", approved_by="head", now=NOW)
    assert longer.deadlines[DeadlineKind.DECISION] == NOW + timedelta(days=120)
    assert longer.extensions[0]["approved_by"] == "head"


def test_an_act_older_than_two_years_at_discovery_cannot_be_filed() -> None:
    with pytest.raises(Conflict, match=r"Art\. 36"):
        C.file(opened(act_at=NOW - timedelta(days=800)), filed=True, reason="x", now=NOW)


def test_hearing_window_is_five_working_days_and_decision_waits_for_it() -> None:
    case = C.notify(C.file(opened(), filed=True, reason="r", now=NOW), hearing_right=True, now=NOW, calendar=CAL)
    assert case.hearing_until is not None and case.hearing_until.date() == date(2026, 10, 13)
    decision = Decision(DiscretionDecision.PENALTY, 200_00, False)
    with pytest.raises(Conflict, match="may still ask for a hearing"):
        C.decide(case, decision=decision, decided=decided(), major=False, now=NOW, calendar=CAL)
    late = case.hearing_until + timedelta(seconds=1)
    with pytest.raises(Conflict, match="window"):
        C.hearing(case, held=False, now=late)
    done = C.decide(case, decision=decision, decided=decided(), major=False, now=late, calendar=CAL)
    assert done.state is CaseState.DECIDED


def test_a_requested_hearing_must_be_held_before_deciding() -> None:
    case = C.notify(C.file(opened(), filed=True, reason="r", now=NOW), hearing_right=True, now=NOW, calendar=CAL)
    asked = C.hearing(case, held=False, now=NOW)
    with pytest.raises(Conflict, match="not been held"):
        C.decide(asked, decision=Decision(DiscretionDecision.PENALTY, 1, False), decided=decided(), major=False,
                 now=NOW + timedelta(days=30), calendar=CAL)


def test_a_penalty_needs_prior_notice_and_a_major_one_legal_review() -> None:
    filed = C.file(opened(), filed=True, reason="r", now=NOW)
    with pytest.raises(Conflict, match="needs notified"):
        C.decide(filed, decision=Decision(DiscretionDecision.PENALTY, 200_00, False), decided=decided(),
                 major=False, now=NOW, calendar=CAL)
    notified = C.notify(filed, hearing_right=False, now=NOW, calendar=CAL)
    with pytest.raises(Conflict, match="legal review"):
        C.decide(notified, decision=Decision(DiscretionDecision.PENALTY, 200_00, False), decided=decided(),
                 major=True, now=NOW, calendar=CAL)


def test_service_is_due_seven_working_days_after_the_decision_and_payment_fifteen_days_after_service() -> None:
    notified = C.notify(C.file(opened(), filed=True, reason="r", now=NOW), hearing_right=False, now=NOW,
                        calendar=CAL)
    case = C.decide(notified, decision=Decision(DiscretionDecision.PENALTY, 200_00, False), decided=decided(),
                    major=False, now=NOW, calendar=CAL)
    assert case.deadlines[DeadlineKind.SERVICE].date() == date(2026, 10, 15)  # 8, 9, 10 (Sat), 12-15
    served = C.serve(case, now=NOW, calendar=CAL)
    # 15 days after 30 Sep is 15 October, a Thursday; the party's 60-day window ends 29 November (a Sunday → 30th).
    assert served.deadlines[DeadlineKind.PAYMENT] == datetime(2026, 10, 15, 23, 59, 59, tzinfo=CHINA)
    assert served.reconsideration_until is not None and served.reconsideration_until.date() == date(2026, 11, 30)


def test_a_no_penalty_decision_can_be_made_without_notice_and_closed_after_service() -> None:
    filed = C.file(opened(), filed=True, reason="r", now=NOW)
    case = C.decide(filed, decision=Decision(DiscretionDecision.NO_PENALTY_MINOR, 0, False, education="讲解法规"),
                    decided=decided(DiscretionDecision.NO_PENALTY_MINOR, 0), major=False, now=NOW, calendar=CAL)
    closed = C.close(C.serve(case, now=NOW, calendar=CAL), now=NOW)
    assert closed.state is CaseState.CLOSED and not closed.deadlines


def test_a_fine_must_be_paid_before_closing() -> None:
    served = C.open_summary(opened(), decided=decided(fine_fen=100_00), now=NOW, calendar=CAL)
    with pytest.raises(Conflict, match="not paid"):
        C.close(served, now=NOW)
    paid = C.pay(served, amount_fen=100_00, surcharge_fen=0, paid_at=NOW, receipt="r-1", via="hand")
    assert C.close(paid, now=NOW).state is CaseState.CLOSED


def test_transfer_closes_the_case_with_its_receipt() -> None:
    case = C.transfer(opened(), target=TransferTarget.POLICE, department=None, receipt="移送回执-1",
                      reason="suspected crime", now=NOW)
    assert case.state is CaseState.TRANSFERRED and case.transfer and case.transfer["receipt"] == "移送回执-1"


def test_a_deadline_that_was_met_or_moved_no_longer_counts_as_missed() -> None:
    case = opened()
    due = case.deadlines[DeadlineKind.FILING]
    assert C.missed(case, DeadlineKind.FILING, due) is not None
    filed = C.file(case, filed=True, reason="r", now=NOW)
    assert C.missed(filed, DeadlineKind.FILING, due) is None
