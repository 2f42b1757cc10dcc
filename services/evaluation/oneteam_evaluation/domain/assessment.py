"""Scorecards for the assessment (考核) of officers and teams, and hotspots for patrol planning."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Any

from oneteam_evaluation.domain.cells import CellOf, grid_of, h3_ring
from oneteam_evaluation.domain.facts import Facts
from oneteam_evaluation.domain.figures import Sample, in_window
from oneteam_evaluation.domain.kpis import KPIS
from oneteam_evaluation.domain.response import order_dims
from oneteam_evaluation.domain.rules import Rules

SCORED = ("acknowledged", "arrived", "reported", "on_time_closure", "satisfaction")
DEFAULT_WEIGHTS = {"acknowledged": 0.2, "arrived": 0.2, "reported": 0.2, "on_time_closure": 0.2, "satisfaction": 0.2}


@dataclass(frozen=True)
class Scorecard:
    """One officer's or team's figures over a window, and the weighted score."""

    key: str
    orders: int
    busy_s: float  # from the order to the report (or withdrawal)
    distance_m: float  # between officer and incident on arrival
    shares: dict[str, float | None] = field(default_factory=dict)
    score: float | None = None  # Σ weight × share over the shares known, ÷ the weights used


def scorecards(facts: Facts, rules: Rules, dimension: str, start: datetime, end: datetime, now: datetime,
               weights: dict[str, float] | None = None) -> list[Scorecard]:
    """Scorecards by `dimension` ("officer" or "team") for orders made in [start, end)."""
    weights = weights or DEFAULT_WEIGHTS
    orders: Counter[str] = Counter()
    busy: dict[str, float] = defaultdict(float)
    distance: dict[str, float] = defaultdict(float)
    for order in facts.orders:
        if order.created_at is None or not start <= order.created_at < end:
            continue
        keys = order_dims(rules, order, facts.incidents.get(order.incident_id) if order.incident_id else None)
        finished = order.reported_at or order.cancelled_at
        by_officer = {m.officer_id: m for m in order.members}
        for key in keys.get(dimension, ()):
            orders[key] += 1
            if finished is not None:
                busy[key] += (finished - order.created_at).total_seconds()
            if dimension == "officer" and key in by_officer:
                distance[key] += by_officer[key].distance_m or 0.0
            elif dimension == "team":
                distance[key] += sum(m.distance_m or 0.0 for m in order.members)
    shares = {name: _shares(in_window(KPIS[name].compute(facts, rules, now), start, end), dimension)
              for name in SCORED}
    cards = []
    for key in sorted(orders):
        own = {name: shares[name].get(key) for name in SCORED}
        cards.append(Scorecard(key, orders[key], busy[key], round(distance[key], 1), own, _score(own, weights)))
    return cards


def _shares(samples: list[Sample], dimension: str) -> dict[str, float]:
    hits: Counter[str] = Counter()
    totals: Counter[str] = Counter()
    for sample in samples:
        for key in sample.dims.get(dimension, ()):
            totals[key] += 1
            hits[key] += sample.hit
    return {key: round(hits[key] / totals[key], 6) for key in totals}


def _score(shares: dict[str, float | None], weights: dict[str, float]) -> float | None:
    # A share with nothing counted (no ratings yet) neither helps nor hurts: it is left out.
    used = {name: weight for name, weight in weights.items() if shares.get(name) is not None}
    total = sum(used.values())
    if not total:
        return None
    return round(sum(weight * (shares[name] or 0.0) for name, weight in used.items()) / total * 100, 2)


@dataclass(frozen=True)
class Balance:
    """How evenly work fell on officers: 0 is perfectly even (the assessment's fairness check)."""

    officers: int
    orders_mean: float
    orders_cv: float | None  # coefficient of variation (standard deviation ÷ mean) of orders
    busy_cv: float | None  # the same of busy time
    orders_gini: float | None  # Gini coefficient of orders: 0 even, towards 1 all on a few


def balance(cards: list[Scorecard]) -> Balance:
    """The balance of officers' scorecards (officers with no order in the window are not known here)."""
    orders = [float(c.orders) for c in cards]
    mean = sum(orders) / len(orders) if orders else 0.0
    return Balance(len(cards), round(mean, 3), _cv(orders), _cv([c.busy_s for c in cards]), _gini(orders))


def _cv(values: list[float]) -> float | None:
    if len(values) < 2 or not sum(values):
        return None
    mean = sum(values) / len(values)
    variance = sum((v - mean) ** 2 for v in values) / len(values)
    return round(math.sqrt(variance) / mean, 4)


def _gini(values: list[float]) -> float | None:
    # The mean absolute difference over twice the mean (the usual sorted-sum form).
    if len(values) < 2 or not sum(values):
        return None
    ordered = sorted(values)
    n = len(ordered)
    weighted = sum((2 * (i + 1) - n - 1) * v for i, v in enumerate(ordered))
    return round(weighted / (n * sum(ordered)), 4)


@dataclass(frozen=True)
class Hotspot:
    """Incidents reported in one grid, of one category, at one hour of the day (local time)."""

    grid: str
    category: str
    hour: int
    count: int
    previous: int  # the same cell in the window just before, for the trend
    lon: float | None = None  # the mean position of the cell's incidents, to draw it on a map
    lat: float | None = None


def hotspots(facts: Facts, start: datetime, end: datetime, zone: tzinfo, top: int = 20,
             cell_of: CellOf = grid_of) -> list[Hotspot]:
    """The `top` busiest place × category × hour cells in [start, end), with the previous window's count.

    The place is the incident's grid, or what `cell_of` says (an H3 cell, in `Hotspot.grid`).
    """
    span = end - start
    now_counts: Counter[tuple[str, str, int]] = Counter()
    before: Counter[tuple[str, str, int]] = Counter()
    places: dict[tuple[str, str, int], list[tuple[float, float]]] = defaultdict(list)
    for incident in facts.incidents.values():
        at = incident.reported_at
        place = cell_of(incident)
        if at is None or place is None or incident.category is None:
            continue
        cell = (place, incident.category, at.astimezone(zone).hour)
        if start <= at < end:
            now_counts[cell] += 1
            if incident.lon is not None and incident.lat is not None:
                places[cell].append((incident.lon, incident.lat))
        elif start - span <= at < start:
            before[cell] += 1
    ranked = sorted(now_counts.items(), key=lambda item: (-item[1], item[0]))[:top]
    return [Hotspot(*cell, count, before[cell], *_centre(places[cell])) for cell, count in ranked]


def _centre(points: list[tuple[float, float]]) -> tuple[float | None, float | None]:
    # A plain mean: a grid spans a few hundred metres, where degrees are as good as metres.
    if not points:
        return None, None
    return (round(sum(p[0] for p in points) / len(points), 6), round(sum(p[1] for p in points) / len(points), 6))


def geojson(spots: list[Hotspot], hexagons: bool = False) -> dict[str, Any]:
    """Hotspots as a GeoJSON FeatureCollection (RFC 7946, WGS-84), for the console and GIS tools.

    Points at the mean position of each cell's incidents; with `hexagons`, each H3 cell's polygon.
    """
    def geometry(s: Hotspot) -> dict[str, Any]:
        if hexagons:
            return {"type": "Polygon", "coordinates": [h3_ring(s.grid)]}
        return {"type": "Point", "coordinates": [s.lon, s.lat]}

    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": geometry(s),
         "properties": {"grid": s.grid, "category": s.category, "hour": s.hour, "count": s.count,
                        "previous": s.previous, "trend": s.count - s.previous}}
        for s in spots if s.lon is not None and s.lat is not None]}
