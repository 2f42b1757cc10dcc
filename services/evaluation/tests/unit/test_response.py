"""1-3-5-8, the 20-minute rapid response and queue time, against hand-counted orders."""

from datetime import timedelta

from oneteam_evaluation.domain.facts import Facts, Member
from oneteam_evaluation.domain.figures import Period, figures
from oneteam_evaluation.domain.kpis import KPIS
from oneteam_evaluation.domain.response import queue_samples, rapid_samples, stage_done_at, stage_samples

from .factories import NOW, RULES, ZONE, at, incident, order


def shares(kpi: str, facts: Facts, dimension: str = "tenant") -> dict[str, tuple[int, int]]:
    found = figures(KPIS[kpi].compute(facts, RULES, NOW), Period.ALL, dimension, ZONE)
    return {f.key: (f.numerator, f.denominator) for f in found}


def test_an_order_acknowledged_within_its_minute_counts_and_one_at_seventy_seconds_does_not() -> None:
    facts = Facts(orders=[order(ack=[0.5]), order(ack=[1.0]), order(ack=[70 / 60]), order(ack=[None])])

    assert shares("acknowledged", facts) == {"330106004": (2, 4)}


def test_time_to_stage_percentiles_are_observed_durations() -> None:
    facts = Facts(orders=[order(ack=[m / 60]) for m in (10, 20, 30, 40, 50, 60, 70, 80, 90, 100)])

    [figure] = figures(KPIS["acknowledged"].compute(facts, RULES, NOW), Period.ALL, "tenant", ZONE)

    assert (figure.p50_s, figure.p90_s) == (50.0, 90.0)


def test_a_joint_order_is_acknowledged_and_coordinated_when_its_last_officer_acknowledges() -> None:
    joint = order(officers=("o-1", "o-2"), ack=[0.5, 2.5])
    alone = order(ack=[0.5])

    assert stage_done_at(joint, "acknowledge") == at(2.5)
    assert stage_done_at(joint, "coordinate") == at(2.5)
    assert stage_done_at(alone, "coordinate") == at(0)  # nothing to coordinate alone
    assert shares("coordinated", Facts(orders=[joint, alone])) == {"330106004": (2, 2)}
    assert shares("acknowledged", Facts(orders=[joint, alone])) == {"330106004": (1, 2)}


def test_a_reassigned_order_is_held_to_the_officers_now_on_it() -> None:
    reassigned = order(officers=("o-2",), members=(Member("o-1"), Member("o-2", acknowledged_at=at(0.8))))

    assert stage_done_at(reassigned, "acknowledge") == at(0.8)


def test_withdrawn_and_not_yet_due_orders_are_not_judged_but_an_overdue_one_is_missed() -> None:
    cancelled = order(cancelled_at=at(3))
    overdue = order()
    pending = order(created=(NOW - at(0)).total_seconds() / 60 - 0.5)  # made half a minute before now

    samples = stage_samples(Facts(orders=[cancelled, overdue, pending]), RULES, "acknowledge", NOW)

    assert [(s.ref, s.hit) for s in samples] == [(overdue.incident_id, False)]


def test_each_stage_has_its_own_deadline() -> None:
    on_time = order(ack=[0.9], arrive=[4.5], report=7.9)
    late = order(ack=[0.9], arrive=[5.5], report=9)
    facts = Facts(orders=[on_time, late])

    assert [shares(k, facts)["330106004"] for k in ("acknowledged", "arrived", "reported")] == [(2, 2), (1, 2), (1, 2)]


def test_an_order_with_several_officers_counts_once_for_each_officer_and_once_for_the_team() -> None:
    facts = Facts(orders=[order(officers=("o-1", "o-2"), ack=[0.5, 0.7]), order(officers=("o-1",), ack=[2])])

    assert shares("acknowledged", facts, "officer") == {"o-1": (1, 2), "o-2": (1, 1)}
    assert shares("acknowledged", facts, "team") == {"T1": (1, 2)}


def test_the_rapid_response_takes_orders_on_the_twenty_minute_profile_and_asks_arrival_within_twenty() -> None:
    def rapid(arrive: float) -> object:
        o = order(arrive=[arrive])
        return order(arrive=[arrive], due={**o.due, "report": at(20)})

    facts = Facts(orders=[rapid(12), rapid(21), order(arrive=[30])])  # type: ignore[list-item]

    assert [s.hit for s in rapid_samples(facts, RULES, NOW)] == [True, False]


def test_queue_time_runs_from_the_first_queueing_to_the_next_order() -> None:
    ordered = incident(queued_at=at(0))
    waiting = incident(queued_at=NOW - timedelta(minutes=30))
    facts = Facts(incidents={i.incident_id: i for i in (ordered, waiting)},
                  orders=[order(ordered.incident_id, created=-5), order(ordered.incident_id, created=12)])

    found = {s.ref: (s.hit, s.seconds) for s in queue_samples(facts, RULES, NOW)}

    assert found == {ordered.incident_id: (True, 720.0), waiting.incident_id: (False, 1800.0)}
