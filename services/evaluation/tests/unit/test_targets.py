"""Targets over a rolling window: the seed's by default, the tenant's own when given."""

from datetime import timedelta
from uuid import uuid4

from oneteam_evaluation.domain.facts import Facts, Rating
from oneteam_evaluation.domain.rules import Rules
from oneteam_evaluation.domain.targets import standings

from .factories import NOW, TENANT, incident, order

AN_HOUR_AGO = 2 * 24 * 60 - 60  # minutes after T0: NOW is two days after it


def test_a_kpi_short_of_its_target_over_the_window_is_below_and_one_with_nothing_counted_is_not() -> None:
    one = incident(reported_at=NOW - timedelta(hours=2))
    ratings = [Rating(uuid4(), one.incident_id, rating, NOW - timedelta(hours=1))
               for rating in ["satisfied"] * 199 + ["dissatisfied"]]
    facts = Facts(incidents={one.incident_id: one}, ratings=ratings)

    found = {s.kpi: s for s in standings(facts, Rules(TENANT), NOW, timedelta(days=7))}

    satisfaction = found["satisfaction"]
    assert (satisfaction.value, satisfaction.target, satisfaction.below) == (0.995, 0.995, False)
    assert found["acknowledged"].value is None and not found["acknowledged"].below
    assert "merged_reports" not in found  # no target: a measure, not a promise


def test_a_tenants_own_target_replaces_the_seeds_and_old_samples_fall_out_of_the_window() -> None:
    recent = order(ack=[AN_HOUR_AGO + 2], created=AN_HOUR_AGO)
    old = order(ack=[0.5])  # two days before now: outside a one-day window
    rules = Rules(TENANT, targets={"acknowledged": 0.5})

    found = {s.kpi: s for s in standings(Facts(orders=[recent, old]), rules, NOW, timedelta(days=1))}

    acknowledged = found["acknowledged"]
    assert (acknowledged.numerator, acknowledged.denominator, acknowledged.target) == (0, 1, 0.5)
    assert acknowledged.below
