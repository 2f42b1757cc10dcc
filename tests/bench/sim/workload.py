"""What happens over a shift: reports per source at rates with daily peaks, camera bursts, and
how long each category takes to handle.

Every random draw an incident needs (where, what, how quickly its officer acknowledges,
how long the handling takes, how the traffic is) is made here, once, from the seed, so
each policy faces exactly the same shift (common random numbers): differences between
policies are the policies', not the dice's.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from .city import City, Point, offset


@dataclass(frozen=True)
class Category:
    """A category (事项) as the simulator needs it: who handles it and how long it takes."""

    code: str
    department: str
    skills: frozenset[str]
    priority: str  # a contracts Priority value
    first_report_min: float  # from arrival to the officer's first report (the "8" of 1-3-5-8)
    handling_min: float  # median on-site handling, lognormally spread
    joint_departments: tuple[str, ...] = ()


CE, MR, EM = "comprehensive_enforcement", "market_regulation", "emergency_management"
STREET = frozenset({"street_order"})

CATEGORIES: dict[str, Category] = {c.code: c for c in [
    Category("street_vending", CE, STREET, "normal", 1.5, 6),
    Category("e_bike_parking", CE, STREET, "low", 1.0, 4),
    Category("dumped_waste", CE, STREET, "normal", 1.5, 8),
    Category("shop_encroachment", CE, STREET, "normal", 2.0, 10),
    Category("noise", CE, STREET, "normal", 2.0, 10),
    Category("dispute", CE, frozenset({"mediation"}), "normal", 3.0, 20),
    Category("unlicensed_construction", CE, frozenset({"construction"}), "high", 2.5, 25),
    Category("food_safety", MR, frozenset({"food_safety"}), "normal", 3.0, 20),
    Category("fire_hazard", EM, frozenset({"fire_safety"}), "high", 2.0, 15),
    # A restaurant with fire and hygiene problems: one joint visit (综合查一次), two departments.
    Category("restaurant_hazard", EM, frozenset({"fire_safety"}), "high", 3.0, 25, (MR,)),
]}

HANDLING_SIGMA = 0.5  # lognormal spread of handling times: the 90th percentile ≈ 1.9 × median
ACK_MEDIAN_S, ACK_SIGMA = 20.0, 0.6  # an officer reads and accepts an order; ≈ 3 % take over a minute
TRAFFIC_SIGMA = 0.15  # trip-to-trip spread of real travel time around the estimate


@dataclass(frozen=True)
class Source:
    """A source (来源) with its mean rate over the shift and the categories it reports."""

    name: str
    per_hour: float
    mix: dict[str, float]
    burst: tuple[int, int] = (1, 1)  # detections per event, min and max (cameras send batches)


SOURCES: tuple[Source, ...] = (
    Source("citizen_app", 20, {"street_vending": 3, "noise": 3, "dumped_waste": 2, "e_bike_parking": 2,
                               "dispute": 1, "food_safety": 1}),
    Source("grid_worker", 18, {"dumped_waste": 3, "shop_encroachment": 3, "street_vending": 2,
                               "unlicensed_construction": 1, "fire_hazard": 1, "restaurant_hazard": 0.5}),
    # Camera events: each finds 2-5 vendors or badly parked e-bikes at once (one batch upload).
    Source("ai_camera", 4, {"street_vending": 6, "e_bike_parking": 4}, burst=(2, 5)),
    Source("hotline_12345", 10, {"noise": 3, "dispute": 2, "food_safety": 1, "unlicensed_construction": 1,
                                 "dumped_waste": 1}),
    Source("patrol", 5, {"street_vending": 2, "shop_encroachment": 2, "dumped_waste": 1}),
    Source("platform", 4, {"fire_hazard": 1, "food_safety": 1, "unlicensed_construction": 1, "dispute": 1}),
    Source("shop_app", 3, {"dispute": 1, "shop_encroachment": 1, "food_safety": 1}),
)


def daily_profile(hour: float) -> float:
    """Relative report rate at a local hour: a morning, a lunch and an evening peak over a base."""
    def bump(centre: float, width: float, height: float) -> float:
        return height * math.exp(-0.5 * ((hour - centre) / width) ** 2)
    return 0.35 + bump(8.5, 0.8, 0.8) + bump(12.0, 1.0, 1.0) + bump(18.5, 1.2, 1.1)


@dataclass(frozen=True)
class Incident:
    """One incident (事件) of the shift with every draw it will need."""

    index: int
    at_s: float  # seconds after the shift starts
    source: str
    category: Category
    location: Point
    district: str
    ack_s: float
    first_report_s: float
    handling_s: float
    traffic: float  # real travel time ÷ estimated, for this incident's trips
    burst: int = -1  # the camera batch it came in, or -1


@dataclass(frozen=True)
class Workload:
    """A shift's parameters; `generate` turns them and a seed into incidents."""

    start_hour: float = 8.0
    hours: float = 8.0
    scale: float = 1.0  # multiplies every source's rate
    sources: tuple[Source, ...] = SOURCES

    def generate(self, city: City, seed: int) -> list[Incident]:
        """The shift's incidents in time order; the same seed gives the same list."""
        rng = random.Random(f"workload-{seed}")
        window = [self.start_hour + k * self.hours / 96 for k in range(97)]
        mean_profile = sum(daily_profile(h) for h in window) / len(window)
        peak = max(daily_profile(h) for h in window)
        events: list[tuple[float, Source]] = []
        horizon = self.hours * 3600
        for source in self.sources:
            # A non-homogeneous Poisson process by thinning: candidates at the peak rate,
            # each kept with probability profile/peak.
            top = source.per_hour * self.scale * peak / mean_profile / 3600
            t = 0.0
            while top > 0:
                t += rng.expovariate(top)
                if t >= horizon:
                    break
                if rng.random() < daily_profile(self.start_hour + t / 3600) / peak:
                    events.append((t, source))
        events.sort(key=lambda e: (e[0], e[1].name))
        incidents: list[Incident] = []
        for burst, (t, source) in enumerate(events):
            count = rng.randint(*source.burst)
            base = _camera_site(city, rng) if count > 1 or source.name == "ai_camera" else None
            for _ in range(count):
                if base is not None:  # vendors along the same street front, within ~150 m
                    where = offset(base, rng.uniform(-150, 150), rng.uniform(-60, 60))
                else:
                    where = _place(city, rng)
                category = CATEGORIES[_weighted(rng, source.mix)]
                incidents.append(Incident(
                    index=len(incidents), at_s=t, source=source.name, category=category, location=where,
                    district=city.district_of(where),
                    ack_s=rng.lognormvariate(math.log(ACK_MEDIAN_S), ACK_SIGMA),
                    first_report_s=category.first_report_min * 60 * rng.uniform(0.7, 1.3),
                    handling_s=category.handling_min * 60 * rng.lognormvariate(0.0, HANDLING_SIGMA),
                    traffic=rng.lognormvariate(0.0, TRAFFIC_SIGMA),
                    burst=burst if base is not None else -1,
                ))
        return incidents


def _weighted(rng: random.Random, weights: dict[str, float]) -> str:
    keys = sorted(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def _camera_site(city: City, rng: random.Random) -> Point:
    cameras = [h for h in city.hotspots if h.camera]
    return rng.choices(cameras, weights=[h.weight for h in cameras])[0].at


def _place(city: City, rng: random.Random) -> Point:
    """Half of the reports near a hotspot, the rest anywhere in a grid by the grid's weight."""
    if rng.random() < 0.5:
        spot = rng.choices(city.hotspots, weights=[h.weight for h in city.hotspots])[0]
        return offset(spot.at, rng.gauss(0, 150), rng.gauss(0, 150))
    grid = rng.choices(city.grids, weights=[g.weight for g in city.grids])[0]
    return (rng.uniform(grid.west, grid.east), rng.uniform(grid.south, grid.north))
