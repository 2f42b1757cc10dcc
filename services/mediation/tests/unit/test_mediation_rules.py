"""The mediation's rules: consent, conflicts, agreement, confirmation window, follow-up, deadlines."""

from datetime import date, datetime, timedelta
from uuid import uuid4

import pytest

from oneteam_contracts import (
    MediationDeadlineKind,
    MediationFailure,
    MediationOrigin,
    MediationOutcome,
    ReferralTarget,
    SessionOutcome,
)
from oneteam_deadlines.calendar import CHINA, WorkingCalendar
from oneteam_mediation.domain import agreements as A
from oneteam_mediation.domain import mediations as M
from oneteam_mediation.domain.parties import Consent
from oneteam_servicekit.errors import Conflict, InvalidRequest

from .factories import CALENDAR, NOW, REGISTRY, mediation, parties


def signed(m: M.Mediation, obligations: list[A.Obligation]) -> M.Mediation:
    signatures = [A.Signature(party_id=p, method="handwritten", signed_at=NOW) for p in ("p1", "p2")]
    return M.sign_agreement(m, obligations, signatures, NOW, CALENDAR, REGISTRY)


def owed(id: str = "o1", due: date = date(2026, 12, 10)) -> A.Obligation:
    return A.Obligation(id=id, party_id="p2", kind=A.ObligationKind.PAY, terms="赔偿修车费", amount_fen=50000, due=due)


def test_a_refusal_ends_the_mediation_with_a_referral_to_a_penalty_case() -> None:
    m = mediation(consent=Consent.PENDING)

    after = M.record_consent(m, "p2", Consent.REFUSED, NOW)

    assert after.state is M.State.CONCLUDED and after.outcome is MediationOutcome.REFERRED
    assert after.referral is ReferralTarget.CASE and after.failure is MediationFailure.PARTY_REFUSED


def test_no_session_before_every_party_consented() -> None:
    m = M.assign(mediation(consent=Consent.PENDING), REGISTRY.mediators[0])
    m = M.record_consent(m, "p1", Consent.GIVEN, NOW)

    with pytest.raises(Conflict, match="consent of p2"):
        M.ready_for_session(m)


def test_a_mediator_tied_to_a_party_cannot_be_assigned() -> None:
    m = mediation().model_copy(update={"parties": parties(declared_ties=["m-wang"])})

    with pytest.raises(Conflict, match="conflict of interest"):
        M.assign(m, REGISTRY.mediators[0])


def test_time_limits_are_30_days_to_conclude_and_5_working_days_to_the_first_session() -> None:
    m = mediation()

    # Accepted Wednesday 25 Nov: 5 working days → Wednesday 2 Dec; 30 days → 25 Dec (a Friday).
    assert m.deadlines[MediationDeadlineKind.FIRST_SESSION].astimezone(CHINA).date() == date(2026, 12, 2)
    assert m.conclusion_due.astimezone(CHINA).date() == date(2026, 12, 25)


def test_the_judicial_confirmation_window_is_30_days_from_signature() -> None:
    m = signed(mediation(), [owed()])
    assert m.agreement is not None

    assert m.agreement.confirmation_due.astimezone(CHINA).date() == date(2026, 12, 25)
    assert A.confirmation_status(m.agreement, NOW + timedelta(days=29)) == "open"
    assert A.confirmation_status(m.agreement, NOW + timedelta(days=31)) == "expired"


def test_an_agreement_needs_every_partys_signature() -> None:
    with pytest.raises(InvalidRequest, match="missing: p2"):
        M.sign_agreement(mediation(), [owed()], [A.Signature(party_id="p1", method="handwritten", signed_at=NOW)],
                         NOW, CALENDAR, REGISTRY)


def test_kept_obligations_resolve_the_dispute_with_no_penalty_grounds_on_a_listed_category() -> None:
    m = signed(mediation(), [owed("o1"), owed("o2")])
    visit = A.FollowUp(at=NOW, by="m-wang", results={"o1": A.Kept.KEPT})

    half = M.follow_up(m, visit, REGISTRY, NOW)
    done = M.follow_up(half, visit.model_copy(update={"results": {"o2": A.Kept.KEPT}}), REGISTRY, NOW)

    assert half.state is M.State.AGREED
    assert done.outcome is MediationOutcome.RESOLVED and done.no_penalty_grounds and done.on_time


def test_a_category_off_the_tenants_list_is_resolved_without_no_penalty_grounds() -> None:
    m = signed(mediation(category="wage_arrears"), [owed()])

    done = M.follow_up(m, A.FollowUp(at=NOW, by="m-li", results={"o1": A.Kept.KEPT}), REGISTRY, NOW)

    assert done.outcome is MediationOutcome.RESOLVED and not done.no_penalty_grounds


def test_a_broken_obligation_refers_the_dispute_as_agreement_not_kept() -> None:
    m = signed(mediation(), [owed()])

    after = M.follow_up(m, A.FollowUp(at=NOW, by="m-wang", results={"o1": A.Kept.BROKEN}), REGISTRY, NOW)

    assert after.outcome is MediationOutcome.REFERRED and after.failure is MediationFailure.AGREEMENT_NOT_KEPT


def test_an_on_site_settlement_with_nothing_left_to_do_is_resolved_on_site_at_once() -> None:
    m = signed(mediation(origin=MediationOrigin.ON_SITE), [])

    assert m.outcome is MediationOutcome.RESOLVED_ON_SITE and m.state is M.State.CONCLUDED


def test_a_missed_deadline_is_marked_once_and_not_after_its_step_is_done() -> None:
    m = mediation()
    due = m.deadlines[MediationDeadlineKind.FIRST_SESSION]

    late = M.missed(m, MediationDeadlineKind.FIRST_SESSION, due)
    assert late is not None and late.missed == [MediationDeadlineKind.FIRST_SESSION]
    assert M.missed(late, MediationDeadlineKind.FIRST_SESSION, due) is None

    session = M.Session(id=uuid4(), mediator_id="m-wang", room_id=None, starts_at=NOW, ends_at=NOW)
    booked = M.add_session(M.assign(m, REGISTRY.mediators[0]), session)
    assert M.missed(booked, MediationDeadlineKind.FIRST_SESSION, due) is None


def test_concluding_late_is_not_on_time() -> None:
    m = mediation()
    late: datetime = m.conclusion_due + timedelta(days=1)

    assert not M.withdraw(m, late).on_time


def test_no_agreement_without_a_referral_is_failed_and_with_one_is_referred() -> None:
    failed = M.refer(mediation(), None, MediationFailure.NO_AGREEMENT, "双方分歧过大", NOW)
    to_court = M.refer(mediation(), ReferralTarget.COURT, MediationFailure.NO_AGREEMENT, "建议诉讼", NOW)

    assert failed.outcome is MediationOutcome.FAILED and failed.referral is None
    assert to_court.outcome is MediationOutcome.REFERRED and to_court.referral is ReferralTarget.COURT


def test_a_cancelled_session_cannot_be_recorded_or_cancelled_again() -> None:
    session = M.Session(id=uuid4(), mediator_id="m-wang", room_id=None, starts_at=NOW, ends_at=NOW)
    m = M.cancel_session(M.add_session(M.assign(mediation(), REGISTRY.mediators[0]), session), session.id)

    with pytest.raises(Conflict, match="cancelled already"):
        M.cancel_session(m, session.id)
    with pytest.raises(Conflict, match="cancelled already"):
        M.hold_session(m, session.id, ["p1"], SessionOutcome.ADJOURNED, {}, None)


def test_the_first_session_limit_skips_a_tenants_own_holidays() -> None:
    local = WorkingCalendar(holidays=frozenset({date(2026, 11, 26), date(2026, 11, 27)}))

    m = M.open_mediation(id=uuid4(), tenant="330106004", origin=MediationOrigin.WALK_IN, category="dispute",
                         registry=REGISTRY, created_by="test", now=NOW, calendar=local)

    # Thu 26 and Fri 27 off, the weekend too: 5 working days after Wed 25 Nov end on Fri 4 Dec.
    assert m.deadlines[MediationDeadlineKind.FIRST_SESSION].astimezone(CHINA).date() == date(2026, 12, 4)


def test_an_agreement_in_time_is_on_time_however_late_its_obligations_fall_due() -> None:
    m = signed(mediation(), [owed(due=date(2027, 3, 1))])
    visit = A.FollowUp(at=NOW, by="m-wang", results={"o1": A.Kept.KEPT})

    done = M.follow_up(m, visit, REGISTRY, m.conclusion_due + timedelta(days=60))

    assert m.deadlines == {} and done.on_time


@pytest.mark.parametrize("due", [date(2026, 11, 23), date(2037, 1, 1), date(9999, 12, 31)])
def test_an_obligation_falls_due_from_signing_to_ten_years_on(due: date) -> None:
    with pytest.raises(InvalidRequest, match="not so: o2") as refused:
        signed(mediation(), [owed("o1", date(2026, 11, 25)), owed("o2", due)])

    assert refused.value.extensions["field"] == "obligations"


@pytest.mark.parametrize(("applied_at", "why"), [
    (NOW - timedelta(minutes=1), "before the agreement was signed"),
    (NOW + timedelta(days=2), "in the future"),
])
def test_an_application_for_confirmation_is_dated_between_signing_and_now(applied_at: datetime, why: str) -> None:
    m = signed(mediation(), [owed()])
    assert m.agreement is not None

    with pytest.raises(InvalidRequest, match=why):
        A.apply_for_confirmation(m.agreement, applied_at, NOW + timedelta(days=1))
    applied = A.apply_for_confirmation(m.agreement, NOW + timedelta(hours=1), NOW + timedelta(days=1))

    assert A.confirmation_status(applied, NOW + timedelta(days=40)) == "applied"
    with pytest.raises(InvalidRequest, match="window"):
        A.apply_for_confirmation(m.agreement, NOW + timedelta(days=31), NOW + timedelta(days=40))
