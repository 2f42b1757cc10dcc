"""The 1-3-5-8 clock with a fake clock: what each missed deadline does."""

from __future__ import annotations

from datetime import datetime, timedelta

from oneteam_contracts import AssignmentOutcome, EscalationReason, Priority, SlaStage
from oneteam_dispatch.domain import assignments as rules
from oneteam_dispatch.domain.deadlines import escalate, on_deadline
from oneteam_dispatch.domain.matching import match
from oneteam_dispatch.domain.sla import STANDARD_1358, SlaProfile

from .factories import NOW, east, incident, officer


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self, start: datetime) -> None:
        self.at = start

    def now(self) -> datetime:
        return self.at

    def advance(self, **delta: float) -> datetime:
        self.at += timedelta(**delta)
        return self.at


def an_order(profile: SlaProfile = STANDARD_1358) -> rules.Assignment:
    demand = incident(east(0))
    decision = match([demand], [officer("a", east(100))], NOW)[0]
    return rules.assign("330106004", demand.incident_id, "noise", Priority.NORMAL, demand.location, decision,
                        profile, NOW)


def test_nothing_fires_before_the_deadline() -> None:
    a, clock = an_order(), FakeClock(NOW)

    assert on_deadline(a, SlaStage.ACKNOWLEDGE, a.deadlines[SlaStage.ACKNOWLEDGE], clock.advance(seconds=59)) is None


def test_a_missed_acknowledge_breaches_and_asks_to_reassign_the_officer() -> None:
    a, clock = an_order(), FakeClock(NOW)

    missed = on_deadline(a, SlaStage.ACKNOWLEDGE, a.deadlines[SlaStage.ACKNOWLEDGE], clock.advance(minutes=1))

    assert missed is not None and missed.reassign == {"a"} and not missed.escalate
    assert missed.breach.stage is SlaStage.ACKNOWLEDGE


def test_an_acknowledged_order_does_not_breach_its_acknowledge_deadline() -> None:
    a, _ = rules.acknowledge(an_order(), "a", NOW + timedelta(seconds=30))

    assert on_deadline(a, SlaStage.ACKNOWLEDGE, a.deadlines[SlaStage.ACKNOWLEDGE], NOW + timedelta(minutes=2)) is None


def test_a_missed_arrival_escalates() -> None:
    a, _ = rules.acknowledge(an_order(), "a", NOW)
    clock = FakeClock(NOW)

    missed = on_deadline(a, SlaStage.ARRIVE, a.deadlines[SlaStage.ARRIVE], clock.advance(minutes=5))
    assert missed is not None and missed.escalate and not missed.reassign

    escalated, event = escalate(a, SlaStage.ARRIVE, EscalationReason.DEADLINE_MISSED, clock.now())
    assert escalated.escalated == {SlaStage.ARRIVE} and event.stage is SlaStage.ARRIVE
    assert event.reason_code is EscalationReason.DEADLINE_MISSED and event.reason == "", "a code, no text"


def test_a_missed_report_escalates_but_a_reported_order_never_does() -> None:
    a, _ = rules.acknowledge(an_order(), "a", NOW)
    a, _ = rules.arrive(a, "a", east(0), None, 200, NOW)
    due = a.deadlines[SlaStage.REPORT]

    assert on_deadline(a, SlaStage.REPORT, due, due) is not None
    reported, _ = rules.report(a, "a", AssignmentOutcome.RESOLVED_ON_SITE, None, (), NOW)
    assert on_deadline(reported, SlaStage.REPORT, due, due) is None


def test_a_deadline_from_before_a_reassignment_is_stale() -> None:
    a = an_order()
    old_due = a.deadlines[SlaStage.ACKNOWLEDGE]
    later = NOW + timedelta(minutes=1)
    decision = match([incident(east(0))], [officer("b", east(100))], later)[0]
    moved = rules.replace_officers(a, {"a"}, decision, STANDARD_1358, later)

    assert on_deadline(moved, SlaStage.ACKNOWLEDGE, old_due, later) is None


def test_the_coordinate_stage_only_matters_for_joint_work() -> None:
    a = an_order()

    assert on_deadline(a, SlaStage.COORDINATE, a.deadlines[SlaStage.COORDINATE], NOW + timedelta(minutes=3)) is None


def test_another_profile_sets_other_deadlines() -> None:
    rapid = SlaProfile("rapid_20", 1, 3, 10, 20)

    a = an_order(rapid)

    assert a.deadlines[SlaStage.REPORT] - NOW == timedelta(minutes=20)
