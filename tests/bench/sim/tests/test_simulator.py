"""The simulator's promises: same seed, same numbers; officers ride at their mode's speed;
the batch assignment (dispatch's own) wins where one-by-one nearest cannot."""

from __future__ import annotations

import dataclasses

import pytest
from sim import POLICIES, OfficerSpec, Run, Simulation, Summary, cuiyuan, run_shift, summarise
from sim.city import City, Point, offset
from sim.dispatch_adapter import Dispatcher
from sim.workload import CATEGORIES, CE, Incident

CITY = cuiyuan()
DISTRICT = CITY.district("D02")
POST = DISTRICT.post


def incident(index: int, at_s: float, where: Point, *, ack_s: float = 10.0, handling_s: float = 600.0) -> Incident:
    return Incident(index=index, at_s=at_s, source="citizen_app", category=CATEGORIES["street_vending"],
                    location=where, district=CITY.district_of(where), ack_s=ack_s, first_report_s=60.0,
                    handling_s=handling_s, traffic=1.0)


def officer(name: str, where: Point, mode: str = "e_bike") -> OfficerSpec:
    return OfficerSpec(name, CITY.district_of(where), CE, frozenset({"street_order"}), mode, where)


def simulate(city: City, officers: list[OfficerSpec], incidents: list[Incident], policy: str,
             hours: float = 1.0) -> Run:
    return Simulation(city, officers, incidents, POLICIES[policy], hours).run()


def comparable(policy: str, seed: int) -> Summary:
    """A shift's figures without the CPU time, which is the machine's, not the seed's."""
    figures = summarise(run_shift(POLICIES[policy], seed=seed))
    return dataclasses.replace(figures, cpu_s=0.0)


def test_the_same_seed_gives_the_same_figures_and_another_seed_does_not() -> None:
    assert comparable("batch", 3) == comparable("batch", 3)
    assert comparable("batch", 3) != comparable("batch", 4)


def test_a_full_shift_has_the_issue_s_scale_and_serves_everyone() -> None:
    figures = comparable("batch", 1)
    assert 500 <= figures.incidents <= 750  # about 600 incidents over 8 h
    assert figures.unserved == 0
    assert 0 < figures.utilisation_pct < 100


def test_an_officer_on_an_e_bike_arrives_after_acknowledging_and_riding_the_road_distance() -> None:
    speed = Dispatcher(CITY.neighbours, batch=True).speed_mps("e_bike")
    detour = Dispatcher(CITY.neighbours, batch=True).detour_factor
    assert 3.5 <= speed <= 6.0 and 1.2 <= detour <= 1.5  # an e-bike in town, streets not straight
    there = offset(POST, 0, 900)
    run = simulate(CITY, [officer("a", POST)], [incident(0, 100.0, there, ack_s=10.0)], "nearest")
    record = run.records[0]
    assert record.ordered == 100.0
    assert record.acknowledged == 110.0
    assert record.arrived == pytest.approx(110.0 + 900 * detour / speed, abs=0.5)
    assert record.arrived is not None
    assert record.reported == pytest.approx(record.arrived + 60.0)
    assert record.done == pytest.approx(record.arrived + 600.0)


def test_an_officer_riding_back_to_the_post_is_ordered_from_where_they_are_on_the_way() -> None:
    speed = Dispatcher(CITY.neighbours, batch=True).speed_mps("e_bike")
    detour = Dispatcher(CITY.neighbours, batch=True).detour_factor
    first = offset(POST, 0, 600)
    ride = 600 * detour / speed
    done = 10.0 + ride + 60.0  # ordered at 0, acknowledged at 10, on scene for a minute
    # Halfway home, a second incident 300 m south of the post: 300 + 300 m away, not 300.
    second_at = done + ride / 2
    run = simulate(CITY, [officer("a", POST)], [incident(0, 0.0, first, handling_s=60.0),
                                                incident(1, second_at, offset(POST, 0, -300), ack_s=0.0)], "batch")
    second = run.records[1]
    assert second.ordered == pytest.approx(second_at)
    assert second.arrived == pytest.approx(second_at + 600 * detour / speed, abs=0.5)


def test_batch_serves_two_simultaneous_incidents_in_time_where_nearest_first_cannot() -> None:
    # On one street: officer B at -700 m, incident 1 at -300 m, officer A at 0, incident 2 at +500 m.
    # Nearest-first gives incident 1 officer A (300 m), leaving incident 2 to B 1 200 m away: past
    # 5 minutes on an e-bike. The assignment gives 1 to B (400 m) and 2 to A (500 m): both in time.
    officers = [officer("a", POST), officer("b", offset(POST, 0, -700))]
    incidents = [incident(0, 60.0, offset(POST, 0, -300)), incident(1, 60.0, offset(POST, 0, 500))]
    nearest = summarise(simulate(CITY, officers, incidents, "nearest"))
    batch = summarise(simulate(CITY, officers, incidents, "batch"))
    assert batch.arrived_5_min_pct == 100.0
    assert nearest.arrived_5_min_pct == 50.0
    assert nearest.queue_sends == 1 and batch.queue_sends == 0


def test_an_incident_nobody_can_reach_in_5_minutes_is_queued_then_widened_by_the_command_centre() -> None:
    far_district = CITY.district("D08")
    run = simulate(CITY, [officer("far", far_district.post)], [incident(0, 0.0, POST)], "batch")
    record = run.records[0]
    assert record.queued and record.widened
    assert record.ordered == 120.0  # Rules.widen_after_s: the operator widens after two minutes
    assert record.officers == ("far",)


def test_a_batching_window_delays_the_order_to_the_next_tick() -> None:
    run = simulate(CITY, [officer("a", POST)], [incident(0, 45.0, offset(POST, 0, 100))], "batch-20s")
    assert run.records[0].ordered == 60.0
