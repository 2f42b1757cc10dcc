"""Scorecards for the assessment (考核) and hotspots, hand-counted."""

from datetime import timedelta

import h3  # type: ignore[import-untyped]

from oneteam_evaluation.domain.assessment import Scorecard, balance, hotspots, scorecards
from oneteam_evaluation.domain.cells import h3_of, h3_ring
from oneteam_evaluation.domain.facts import Facts

from .factories import NOW, RULES, T0, ZONE, at, incident, order

START, END = T0 - timedelta(hours=1), T0 + timedelta(days=1)


def test_an_officers_scorecard_counts_orders_busy_time_distance_and_the_weighted_score() -> None:
    facts = Facts(orders=[order(ack=[0.5], arrive=[4], report=7), order(ack=[2], arrive=[6], report=10, created=0)])

    [card] = scorecards(facts, RULES, "officer", START, END, NOW, weights={"acknowledged": 1, "arrived": 1})

    assert (card.key, card.orders, card.busy_s, card.distance_m) == ("o-1", 2, 1020.0, 200.0)
    assert card.shares["acknowledged"] == 0.5 and card.shares["satisfaction"] is None
    assert card.score == 50.0  # (1 × 0.5 + 1 × 0.5) ÷ 2, in points


def test_a_share_with_nothing_counted_neither_helps_nor_hurts_the_score() -> None:
    facts = Facts(orders=[order(ack=[0.5], arrive=[4], report=7)])

    [card] = scorecards(facts, RULES, "team", START, END, NOW, weights={"acknowledged": 1, "satisfaction": 5})

    assert card.score == 100.0


def test_hotspots_rank_grid_category_and_local_hour_with_the_previous_window() -> None:
    now_cells = [incident(), incident(), incident(grid="G2"), incident(reported_at=at(120))]
    before = [incident(reported_at=T0 - timedelta(days=1))]  # the same local hour, the window before
    facts = Facts(incidents={i.incident_id: i for i in [*now_cells, *before, incident(grid=None)]})

    found = hotspots(facts, START, END, ZONE, top=2)

    assert [(h.grid, h.category, h.hour, h.count, h.previous) for h in found] == [
        ("G1", "street_vending", 9, 2, 1), ("G1", "street_vending", 11, 1, 0)]


def test_on_h3_cells_incidents_metres_apart_across_a_grid_line_share_one_hexagon_and_far_ones_do_not() -> None:
    # 120.1200 → 120.1205 is about 50 m; 0.02° of latitude is about 2.2 km.
    near = [incident(lon=120.1200, lat=30.2900), incident(grid="G2", lon=120.1205, lat=30.2900)]
    far = [incident(lon=120.1200, lat=30.3100), incident(grid="G3")]  # the last one has no position
    facts = Facts(incidents={i.incident_id: i for i in [*near, *far]})

    found = hotspots(facts, START, END, ZONE, cell_of=h3_of(9))

    assert [h.count for h in found] == [2, 1]
    assert found[0].grid == h3.latlng_to_cell(30.29, 120.1200, 9)
    ring = h3_ring(found[0].grid)
    assert len(ring) == 7 and ring[0] == ring[-1]  # a hexagon, closed as GeoJSON wants


def test_balance_is_zero_when_officers_share_the_work_evenly_and_grows_as_it_falls_on_few() -> None:
    even = [Scorecard(f"o-{n}", orders=4, busy_s=600.0, distance_m=0.0) for n in range(3)]
    lopsided = [Scorecard("o-1", 9, 900.0, 0.0), Scorecard("o-2", 1, 100.0, 0.0), Scorecard("o-3", 2, 200.0, 0.0)]

    assert (balance(even).orders_cv, balance(even).orders_gini) == (0.0, 0.0)
    assert balance(lopsided).orders_gini == 0.4444  # Σ|xi − xj| = 32 over 2 × 3² × 4 (the mean)
    assert balance(lopsided).orders_mean == 4.0 and balance([]).orders_cv is None
