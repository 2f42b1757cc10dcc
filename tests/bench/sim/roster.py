"""Who is on shift: officers by district, department, skills and travel mode, with meal breaks."""

from __future__ import annotations

import random
from dataclasses import dataclass

from .city import City, Point, offset
from .workload import CE, EM, MR


@dataclass(frozen=True)
class OfficerSpec:
    """An officer (队员) as the shift starts: where they are posted and how they move."""

    id: str
    district: str
    department: str
    skills: frozenset[str]
    mode: str  # a dispatch TravelMode value: on_foot, e_bike, car
    start: Point
    break_at_s: float | None = None  # a 30-minute meal break is due at this time
    break_s: float = 30 * 60


def cuiyuan_roster(city: City, size: int, seed: int, *, start_hour: float = 8.0,
                   hours: float = 8.0) -> list[OfficerSpec]:
    """`size` officers: a tenth each from market regulation and emergency management, the
    rest comprehensive enforcement; most on e-bikes, some on foot at hotspots, a few cars."""
    rng = random.Random(f"roster-{seed}")
    specialists = max(1, round(size * 0.1))
    departments = [MR] * specialists + [EM] * specialists + [CE] * (size - 2 * specialists)
    officers = []
    for i, department in enumerate(departments):
        district = city.districts[i % len(city.districts)]
        skills = {MR: {"food_safety"}, EM: {"fire_safety"}}.get(department, {"street_order"})
        if department == CE:
            if rng.random() < 0.2:
                skills.add("construction")
            if rng.random() < 0.25:
                skills.add("mediation")
        mode = rng.choices(["e_bike", "on_foot", "car"], weights=[70, 15, 15])[0]
        start = offset(district.post, rng.uniform(-300, 300), rng.uniform(-500, 500))
        # Meal breaks are staggered between 11:00 and 13:00 (when the shift covers them).
        lunch = (11.0 - start_hour) * 3600 + rng.uniform(0, 2 * 3600)
        break_at = lunch if 0 < lunch < hours * 3600 else None
        officers.append(OfficerSpec(f"sim-{i + 1:03d}", district.id, department, frozenset(skills), mode, start,
                                    break_at))
    return officers
