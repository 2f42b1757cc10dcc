"""Matching: the batch beats one-by-one, rules are respected, widening, the queue."""

from __future__ import annotations

from dataclasses import replace
from datetime import time, timedelta

import pytest

from oneteam_contracts import Priority, QueueReason
from oneteam_dispatch.domain.matching import Policy, match, nearest_available
from oneteam_dispatch.domain.officers import OfficerStatus, Shift
from oneteam_dispatch.domain.responsibility import Need

from .factories import NOW, east, incident, officer


def test_batch_serves_both_incidents_where_one_by_one_strands_one() -> None:
    # B arrives first and grabs X, the officer between them; then Y is too far from A.
    a, b = incident(east(0)), incident(east(600))
    x, y = officer("x", east(350)), officer("y", east(1200))

    batch = match([b, a], [x, y], NOW)
    greedy = nearest_available([b, a], [x, y], NOW)

    assert [d.assigned for d in batch] == [True, True]
    assert {d.incident_id: d.officer_ids for d in batch} == {b.incident_id: ["y"], a.incident_id: ["x"]}
    assert [d.assigned for d in greedy] == [True, False]


def test_batch_minimises_total_travel_where_one_by_one_does_not() -> None:
    # B, first, takes X (150 m away); A is then left with Y, 600 m away. Together: 250 + 200 m.
    a, b = incident(east(0)), incident(east(400))
    x, y = officer("x", east(250)), officer("y", east(600))

    batch = match([b, a], [x, y], NOW)
    greedy = nearest_available([b, a], [x, y], NOW)

    def total(decisions: list) -> float:  # type: ignore[type-arg]
        return sum(p.eta_s for d in decisions for p in d.picks)

    assert total(batch) < total(greedy)


def test_decision_carries_the_chosen_and_the_runner_up_eta() -> None:
    decision = match([incident(east(0))], [officer("near", east(100)), officer("far", east(500))], NOW)[0]

    pick = decision.picks[0]
    assert pick.officer_id == "near" and pick.runner_up_officer_id == "far"
    assert 0 < pick.eta_s < pick.runner_up_eta_s  # type: ignore[operator]
    assert "runner-up far" in decision.reason()


def test_an_officer_without_the_skill_is_not_sent() -> None:
    food = incident(east(0), Need("comprehensive_enforcement", frozenset({"food_safety"})))

    decision = match([food], [officer("close", east(50)), officer("trained", east(400), skills=("food_safety",))],
                     NOW)[0]

    assert decision.officer_ids == ["trained"]


def test_joint_work_gets_one_officer_from_each_department() -> None:
    fire = incident(east(0), Need("comprehensive_enforcement"), Need("emergency_management"))
    officers = [officer("ce1", east(50)), officer("ce2", east(60)),
                officer("em1", east(300), department="emergency_management")]

    decision = match([fire], officers, NOW)[0]

    assert decision.officer_ids == ["ce1", "em1"]
    assert [p.need.department for p in decision.picks] == ["comprehensive_enforcement", "emergency_management"]


def test_joint_work_waits_whole_when_one_department_has_nobody() -> None:
    fire = incident(east(0), Need("comprehensive_enforcement"), Need("emergency_management"))

    decision = match([fire], [officer("ce1", east(50))], NOW)[0]

    assert not decision.assigned and "emergency_management" in decision.reason()


def test_neighbouring_district_is_tried_when_the_own_has_nobody() -> None:
    policy = Policy(neighbours={"D01": frozenset({"D02"})})
    demand = incident(east(0), district="D01")

    widened = match([demand], [officer("next", east(300), district="D02")], NOW, policy)[0]
    beyond = match([demand], [officer("other", east(300), district="D03")], NOW, policy)[0]

    assert widened.officer_ids == ["next"] and widened.picks[0].widened
    assert "neighbouring district" in widened.reason()
    assert not beyond.assigned


def test_own_district_is_preferred_even_if_a_neighbour_is_a_little_closer() -> None:
    policy = Policy(neighbours={"D01": frozenset({"D02"})})

    decision = match([incident(east(0), district="D01")],
                     [officer("own", east(400), district="D01"), officer("next", east(300), district="D02")],
                     NOW, policy)[0]

    assert decision.officer_ids == ["own"]


def test_nobody_within_the_arrival_limit_goes_to_the_queue_with_the_reason() -> None:
    decision = match([incident(east(0))], [officer("far", east(5000))], NOW)[0]

    assert not decision.assigned
    assert "comprehensive_enforcement" in decision.reason() and "5 min" in decision.reason()
    assert decision.queued_code is QueueReason.NO_OFFICER_IN_REACH


def test_an_incident_whose_only_officer_went_to_a_more_urgent_one_is_queued_as_officers_taken() -> None:
    urgent = incident(east(0), priority=Priority.URGENT)
    decisions = match([incident(east(0)), urgent], [officer("only", east(100))], NOW)

    assert decisions[1].officer_ids == ["only"]
    assert decisions[0].queued_code is QueueReason.OFFICERS_TAKEN and decisions[1].queued_code is None


def test_busy_off_shift_and_excluded_officers_are_not_candidates() -> None:
    demand = incident(east(0), excluded=frozenset({"let_down"}))
    night = replace(officer("night", east(10)), shifts=(Shift(time(20), time(6)),))  # it is 10:00 now

    decision = match([demand], [officer("busy", east(10), status=OfficerStatus.ASSIGNED), night,
                                officer("let_down", east(10)), officer("free", east(400))], NOW)[0]

    assert decision.officer_ids == ["free"]


def test_a_stale_position_counts_against_an_officer() -> None:
    decision = match([incident(east(0))], [officer("stale", east(200), fresh=False), officer("fresh", east(250))],
                     NOW, Policy(stale_after=timedelta(minutes=3)))[0]

    assert decision.officer_ids == ["fresh"]


def test_urgent_incident_gets_the_scarce_officer() -> None:
    normal, urgent = incident(east(0)), incident(east(100), priority=Priority.URGENT)

    decisions = match([normal, urgent], [officer("only", east(0))], NOW)

    assert [d.assigned for d in decisions] == [False, True]


def test_another_tenants_officer_is_never_sent() -> None:
    decision = match([incident(east(0))], [officer("elsewhere", east(10), tenant="330106005")], NOW)[0]

    assert not decision.assigned


@pytest.mark.parametrize("solver", [match, nearest_available])
def test_no_incidents_or_no_officers_is_not_an_error(solver) -> None:  # type: ignore[no-untyped-def]
    assert solver([], [officer("x", east(0))], NOW) == []
    assert not solver([incident(east(0))], [], NOW)[0].assigned
