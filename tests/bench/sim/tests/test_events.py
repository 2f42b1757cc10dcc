"""A simulated shift as events: the demo tenant's own areas, teams and clocks, on a real day, the same ids
every time, and a 1-3-5-8 count made the way evaluation makes it."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from functools import cache
from itertools import pairwise
from typing import Any

from sim import POLICIES, OfficerSpec, Run, Simulation, cuiyuan, run_shift, summarise
from sim import events as ev
from sim.city import Point, offset
from sim.workload import CATEGORIES, CE, EM, MR, Incident

from oneteam_contracts import parse_event, to_kafka

CITY = cuiyuan()
POST = CITY.district("D02").post
DAY = date(2026, 11, 2)
SHIFT = ev.Shift(DAY, "test")


@cache
def shift_run() -> Run:
    return run_shift(POLICIES["batch"], seed=2, officers=20, hours=1.0)


@cache
def shift_events() -> list[Any]:
    return ev.shift_events(shift_run(), SHIFT)


def incident(index: int, at_s: float, where: Point, category: str = "street_vending", ack_s: float = 10.0,
             source: str = "citizen_app") -> Incident:
    return Incident(index=index, at_s=at_s, source=source, category=CATEGORIES[category], location=where,
                    district=CITY.district_of(where), ack_s=ack_s, first_report_s=60.0, handling_s=600.0,
                    traffic=1.0)


def officer(name: str, where: Point, department: str = CE, skills: frozenset[str] = frozenset({"street_order"})
            ) -> OfficerSpec:
    return OfficerSpec(name, CITY.district_of(where), department, skills, "e_bike", where)


def simulate(officers: list[OfficerSpec], incidents: list[Incident]) -> Run:
    return Simulation(CITY, officers, incidents, POLICIES["batch"], 1.0).run()


def test_the_same_shift_gives_the_same_events_and_another_day_other_ids() -> None:
    again = ev.shift_events(shift_run(), ev.Shift(DAY, "test"))
    next_day = ev.shift_events(shift_run(), ev.Shift(DAY + timedelta(days=1), "test"))

    assert [e.model_dump() for e in again] == [e.model_dump() for e in shift_events()]
    assert len({e.id for e in shift_events()}) == len(shift_events())
    assert not {e.id for e in next_day} & {e.id for e in shift_events()}


def test_every_event_is_a_valid_contract_message_of_the_demo_tenant_from_the_simulator() -> None:
    for event in shift_events():
        record = to_kafka(event)
        back = parse_event(json.loads(record.value))
        assert back == event
        assert (event.tenant, event.source) == ("330106004", "simulator")


def test_each_incidents_events_follow_its_life_in_time_order() -> None:
    lives: dict[Any, list[Any]] = {}
    for event in shift_events():
        lives.setdefault(event.data.incident_id, []).append(event)

    for life in lives.values():
        types = [e.type for e in life]
        assert types[0] == "incident.reported"
        assert [e.time for e in life] == sorted(e.time for e in life)
        if "incident.closed" in types:
            assert types.index("assignment.reported") < types.index("incident.closed")


def test_places_teams_and_categories_are_those_of_the_demo_configuration() -> None:
    grids = {(g.district, g.code) for g in ev.areas().grids}
    reported = [e.data for e in shift_events() if e.type == "incident.reported"]
    created = [e.data for e in shift_events() if e.type == "assignment.created"]

    assert {(d.district, d.grid) for d in reported} <= grids  # as intake would place them
    assert {d.category for d in reported} <= set(ev.responsibilities().entries)
    for order in created:
        assert order.team == ev.responsibilities().lookup(order.category).team_type.value


def test_the_shift_starts_at_its_local_hour_on_its_day() -> None:
    first = min(e.time for e in shift_events())
    assert first >= datetime(2026, 11, 2, 0, 0, tzinfo=UTC)  # 08:00 in Hangzhou
    assert first - datetime(2026, 11, 2, 0, 0, tzinfo=UTC) < timedelta(minutes=10)
    assert max(e.time for e in shift_events()) < datetime(2026, 11, 2, 16, 0, tzinfo=UTC)  # midnight there


def test_a_closure_follows_its_report_on_the_incidents_topic_with_nothing_between() -> None:
    # In a running suite dispatch reads the incidents topic: it must find each simulated incident
    # closed before its matcher could order a real officer to it.
    on_topic = [e for e in shift_events() if e.type.startswith("incident.")]
    served = {e.data.incident_id for e in on_topic if e.type == "incident.closed"}

    assert served
    for before, after in pairwise(on_topic):
        if before.type == "incident.reported" and before.data.incident_id in served:
            assert (after.type, after.data.incident_id) == ("incident.closed", before.data.incident_id)


def test_an_order_carries_the_deadlines_of_its_categorys_profile() -> None:
    run = simulate([officer("a", POST, skills=frozenset({"street_order", "mediation"}))],
                   [incident(0, 0.0, offset(POST, 0, 300)), incident(1, 3000.0, offset(POST, 0, 300), "dispute")])
    created = {e.data.category: e.data for e in ev.shift_events(run, SHIFT) if e.type == "assignment.created"}

    street, dispute = created["street_vending"], created["dispute"]
    assert street.deadlines["arrive"] - street.created_at == timedelta(minutes=5)  # 1-3-5-8
    assert dispute.deadlines["arrive"] - dispute.created_at == timedelta(minutes=10)  # rapid_20
    assert dispute.deadlines["report"] - dispute.created_at == timedelta(minutes=20)


def test_joint_work_acknowledges_and_arrives_officer_by_officer_under_the_demo_category() -> None:
    where = offset(POST, 0, 200)
    run = simulate([officer("fire", offset(POST, 0, -600), EM, frozenset({"fire_safety"})),
                    officer("food", offset(POST, 0, -1500), MR, frozenset({"food_safety"}))],
                   [incident(0, 0.0, where, "restaurant_hazard", source="grid_worker")])
    shift = ev.shift_events(run, SHIFT)
    arrived = sorted(e.data.arrived_at for e in shift if e.type == "assignment.arrived")

    assert [e.data.category for e in shift if e.type == "assignment.created"] == ["fire_hazard"]
    assert Counter(e.type for e in shift)["assignment.acknowledged"] == 2
    assert arrived[0] == SHIFT.at(run.records[0].arrived)  # the first officer there, then the last
    assert arrived[1] - arrived[0] > timedelta(minutes=1)
    assert arrived[1] == SHIFT.at(run.records[0].reported - 60.0)


def test_an_incident_nobody_can_reach_is_queued_before_its_order() -> None:
    far = offset(POST, 9000, 0)
    run = simulate([officer("a", far), officer("b", POST)],
                   [incident(0, 0.0, offset(POST, 0, 100)), incident(1, 0.0, offset(POST, 0, -100))])
    types = [e.type for e in ev.shift_events(run, SHIFT)]

    assert types.count("assignment.queued") == 1
    queued = next(i for i, t in enumerate(types) if t == "assignment.queued")
    assert queued < max(i for i, t in enumerate(types) if t == "assignment.created")


def test_only_reporters_who_can_be_called_back_rate_and_only_after_closure() -> None:
    closed = {e.data.incident_id: e.data.closed_at for e in shift_events() if e.type == "incident.closed"}
    sources = {e.data.incident_id: e.data.source for e in shift_events() if e.type == "incident.reported"}
    ratings = [e.data for e in shift_events() if e.type == "feedback.received"]

    assert ratings
    for rating in ratings:
        assert sources[rating.incident_id] in ev.RATING_SOURCES
        assert rating.received_at > closed[rating.incident_id]


def test_the_order_clock_counts_each_stage_against_the_orders_deadline() -> None:
    near, far = offset(POST, 0, 300), offset(POST, 0, 2500)
    run = simulate([officer("a", POST), officer("b", POST)],
                   [incident(0, 0.0, near, ack_s=10.0), incident(1, 0.0, far, ack_s=90.0)])

    counts = ev.order_clock(run, SHIFT)

    assert counts == {"acknowledged": (1, 2), "coordinated": (2, 2), "arrived": (1, 2), "reported": (1, 2)}


def test_on_the_standard_clock_with_one_officer_per_order_both_count_arrivals_alike() -> None:
    # Street vending runs on 1-3-5-8 with one officer: evaluation's "arrived" is then the simulator's
    # own "arrived within 5 minutes of the order".
    run = simulate([officer(f"o{k}", POST) for k in range(3)],
                   [incident(k, 400.0 * k, offset(POST, 0, 500.0 * (k + 1))) for k in range(5)])

    arrived, orders = ev.order_clock(run, SHIFT)["arrived"]

    assert orders == 5 and 0 < arrived < 5
    assert arrived == round(summarise(run).arrived_5_after_order_pct * orders / 100)


def test_yesterday_is_the_day_before_in_hangzhou() -> None:
    assert ev.yesterday(datetime(2026, 11, 25, 17, 0, tzinfo=UTC)) == date(2026, 11, 25)  # 01:00 on the 26th there
    assert ev.yesterday(datetime(2026, 11, 25, 15, 0, tzinfo=UTC)) == date(2026, 11, 24)
