"""Breaches of a target: raised on the fall, once; closed on the recovery; a later fall is a new breach.

And no judgement at all while the read model may be incomplete: a rebuild, a consumer behind.
"""

from datetime import timedelta
from uuid import uuid4

from oneteam_evaluation.domain.alerts import Breach, Change, hold, transitions
from oneteam_evaluation.domain.targets import Standing

from .factories import NOW


def _standing(kpi: str, hits: int, counted: int, target: float = 0.9) -> Standing:
    value = hits / counted if counted else None
    return Standing(kpi, kpi, target, hits, counted, value, below=value is not None and value < target)


def test_a_kpi_falling_below_its_target_raises_one_breach_starting_now() -> None:
    made = transitions([_standing("satisfaction", 8, 10), _standing("acknowledged", 10, 10)], {}, NOW,
                       iter(uuid4, None))

    assert [(t.change, t.breach.kpi, t.breach.started_at) for t in made] == [(Change.RAISED, "satisfaction", NOW)]


def test_a_kpi_still_below_with_its_breach_open_raises_nothing_more() -> None:
    open_breach = Breach(uuid4(), "satisfaction", NOW - timedelta(hours=3))

    assert transitions([_standing("satisfaction", 7, 10)], {"satisfaction": open_breach}, NOW, iter(uuid4, None)) == []


def test_a_kpi_back_at_its_target_closes_its_breach_under_the_same_alert() -> None:
    open_breach = Breach(uuid4(), "satisfaction", NOW - timedelta(hours=3))

    made = transitions([_standing("satisfaction", 9, 10)], {"satisfaction": open_breach}, NOW, iter(uuid4, None))

    assert [(t.change, t.breach) for t in made] == [(Change.RECOVERED, open_breach)]


def test_a_kpi_with_nothing_counted_neither_raises_nor_closes() -> None:
    open_breach = Breach(uuid4(), "satisfaction", NOW - timedelta(hours=3))

    assert transitions([_standing("satisfaction", 0, 0)], {"satisfaction": open_breach}, NOW, iter(uuid4, None)) == []
    assert transitions([_standing("satisfaction", 0, 0)], {}, NOW, iter(uuid4, None)) == []


def test_a_fall_after_a_recovery_is_a_new_breach_with_a_new_alert_id() -> None:
    first = transitions([_standing("reported", 1, 2)], {}, NOW, iter(uuid4, None))[0].breach
    later = transitions([_standing("reported", 1, 2)], {}, NOW + timedelta(days=1), iter(uuid4, None))[0].breach

    assert later.alert_id != first.alert_id and later.started_at == NOW + timedelta(days=1)


def test_a_read_model_of_another_generation_than_this_process_reads_is_not_judged() -> None:
    during = hold(stored_generation=3, own_generation=2, lags={"evaluation.read-model.g2": 0}, max_lag=200)

    assert during is not None and during.reason == "rebuild" and "generation 3" in during.detail


def test_a_consumer_that_has_not_read_its_partitions_or_is_far_behind_holds_the_judgement() -> None:
    unread = hold(1, 1, {"evaluation.read-model.g1": None}, max_lag=200)
    behind = hold(1, 1, {"evaluation.read-model.g1": 201}, max_lag=200)

    assert unread is not None and unread.reason == "unread"
    assert behind is not None and behind.reason == "behind" and "201 records behind" in behind.detail


def test_a_caught_up_read_model_is_judged_even_a_fetch_behind_or_with_no_consumer_in_this_process() -> None:
    assert hold(1, 1, {"evaluation.read-model.g1": 200}, max_lag=200) is None
    assert hold(0, 0, {}, max_lag=200) is None  # a process that only serves and judges: the generation decides
