"""An assignment's life: acknowledge, arrive, report, and their refusals."""

from __future__ import annotations

from datetime import timedelta

import pytest

from oneteam_contracts import AssignmentOutcome, Priority, SlaStage
from oneteam_dispatch.domain import assignments as rules
from oneteam_dispatch.domain.assignments import Assignment, AssignmentStatus
from oneteam_dispatch.domain.matching import match
from oneteam_dispatch.domain.responsibility import Need
from oneteam_dispatch.domain.sla import STANDARD_1358
from oneteam_servicekit.errors import Conflict, Forbidden, InvalidRequest

from .factories import NOW, east, incident, officer


def an_order(*needs: Need) -> Assignment:
    demand = incident(east(0), *needs)
    decision = match([demand], [officer("a", east(100)), officer("b", east(150), department="market_regulation")],
                     NOW)[0]
    return rules.assign("330106004", demand.incident_id, "street_vending", Priority.NORMAL, demand.location,
                        decision, STANDARD_1358, NOW)


def test_the_clock_starts_at_the_order_with_1358_deadlines() -> None:
    a = an_order()

    assert a.deadlines[SlaStage.ACKNOWLEDGE] == NOW + timedelta(minutes=1)
    assert a.deadlines[SlaStage.REPORT] == NOW + timedelta(minutes=8)
    assert a.eta_s is not None and a.runner_up_officer_id is None


def test_acknowledging_someone_elses_order_is_refused() -> None:
    with pytest.raises(Forbidden):
        rules.acknowledge(an_order(), "intruder", NOW)


def test_acknowledging_twice_changes_nothing_the_second_time() -> None:
    once, event = rules.acknowledge(an_order(), "a", NOW)
    twice, again = rules.acknowledge(once, "a", NOW + timedelta(seconds=5))

    assert event is not None and again is None
    assert twice == once and once.status is AssignmentStatus.ACKNOWLEDGED


def test_joint_order_is_acknowledged_when_every_department_has() -> None:
    joint = an_order(Need("comprehensive_enforcement"), Need("market_regulation"))

    half, _ = rules.acknowledge(joint, "a", NOW)
    whole, _ = rules.acknowledge(half, "b", NOW)

    assert half.status is AssignmentStatus.CREATED and not half.stage_done(SlaStage.COORDINATE)
    assert whole.status is AssignmentStatus.ACKNOWLEDGED and whole.stage_done(SlaStage.COORDINATE)


def test_arriving_far_away_is_refused_with_the_distance() -> None:
    acknowledged, _ = rules.acknowledge(an_order(), "a", NOW)

    with pytest.raises(InvalidRequest) as refused:
        rules.arrive(acknowledged, "a", east(900), None, 200, NOW)

    assert refused.value.extensions["distance_m"] == pytest.approx(900, abs=5)


def test_arriving_far_away_with_a_stated_reason_is_accepted_and_noted() -> None:
    acknowledged, _ = rules.acknowledge(an_order(), "a", NOW)

    arrived, event = rules.arrive(acknowledged, "a", east(900), "GPS drifts between the towers", 200, NOW)

    assert event is not None and arrived.status is AssignmentStatus.ARRIVED
    assert arrived.members[0].arrival_note == "GPS drifts between the towers"


def test_arriving_before_acknowledging_is_refused() -> None:
    with pytest.raises(Conflict):
        rules.arrive(an_order(), "a", east(10), None, 200, NOW)


def test_a_repeated_report_is_harmless_and_a_different_one_is_refused() -> None:
    a, _ = rules.acknowledge(an_order(), "a", NOW)
    a, _ = rules.arrive(a, "a", east(20), None, 200, NOW)

    reported, event = rules.report(a, "a", AssignmentOutcome.RESOLVED_ON_SITE, "moved on", ("p1",), NOW)
    again, none = rules.report(reported, "a", AssignmentOutcome.RESOLVED_ON_SITE, "moved on", ("p1",), NOW)

    assert event is not None and none is None and again == reported
    assert not reported.is_open and reported.stage_done(SlaStage.REPORT)
    with pytest.raises(Conflict):
        rules.report(reported, "a", AssignmentOutcome.NEEDS_CASE, None, (), NOW)


def test_acting_on_a_cancelled_order_is_refused() -> None:
    from dataclasses import replace

    cancelled = replace(an_order(), status=AssignmentStatus.CANCELLED)

    with pytest.raises(Conflict):
        rules.acknowledge(cancelled, "a", NOW)


def test_reassigning_restarts_the_clock_for_the_new_officer() -> None:
    a = an_order()
    later = NOW + timedelta(minutes=1, seconds=1)
    decision = match([incident(east(0), excluded=frozenset({"a"}))], [officer("c", east(200))], later)[0]

    moved = rules.replace_officers(a, {"a"}, decision, STANDARD_1358, later)

    assert moved.officer_ids == ["c"] and moved.id == a.id
    assert moved.deadlines[SlaStage.ACKNOWLEDGE] == later + timedelta(minutes=1)
