"""A camera batch decided in memory decides what the same detections sent one by one would."""

import random
from datetime import datetime, timedelta
from uuid import UUID, uuid4

from oneteam_contracts import GeoPoint
from oneteam_intake.domain.catalog import CameraLabel
from oneteam_intake.domain.detections import BatchPlacement
from oneteam_intake.domain.geography import Placement
from oneteam_intake.domain.merging import find_duplicate, suppressed_by
from oneteam_intake.domain.reports import Incident, Merged, join_incident, open_incident

from .test_merging import CATALOG, HERE, NOW, VENDING, east, incident, report

VENDOR = CameraLabel("street_vendor", "street_vending", 0.5, 0.75, timedelta(minutes=30))
NOWHERE = Placement(None, None)


def test_a_second_sighting_nearby_joins_the_incident_the_batch_just_opened() -> None:
    plan = BatchPlacement(CATALOG, [], {})

    first = plan.place(uuid4(), report(HERE), VENDING, NOWHERE, NOW, ("cam-1", VENDOR))
    second = plan.place(uuid4(), report(east(30)), VENDING, NOWHERE, NOW, ("cam-2", VENDOR))

    assert isinstance(second, Merged) and second.incident.id == first.incident.id
    assert plan.opened_now()[0].report_count == 2 and plan.merged_earlier() == []


def test_an_incident_loaded_for_the_batch_is_joined_and_reported_as_changed() -> None:
    existing = incident(east(50))
    plan = BatchPlacement(CATALOG, [existing, incident(east(500))], {})

    outcome = plan.place(uuid4(), report(HERE), VENDING, NOWHERE, NOW, ("cam-1", VENDOR))

    assert outcome.incident.id == existing.id
    assert [i.id for i in plan.merged_earlier()] == [existing.id] and plan.opened_now() == []


def test_the_cameras_suppression_window_wins_over_distance() -> None:
    fed = incident(east(300))
    plan = BatchPlacement(CATALOG, [fed], {("cam-1", "street_vendor"): (fed.id, NOW - timedelta(minutes=5))})

    outcome = plan.place(uuid4(), report(HERE), VENDING, NOWHERE, NOW, ("cam-1", VENDOR))

    assert outcome.incident.id == fed.id and plan.touched == {("cam-1", "street_vendor")}


def test_a_random_batch_decides_as_one_by_one_placement_would() -> None:
    rng = random.Random(5)
    # About 500 m square around HERE, which lies on a corner of the plan's index cells.
    def somewhere() -> GeoPoint:
        return GeoPoint(lon=HERE.lon + rng.uniform(-0.0025, 0.0025), lat=HERE.lat + rng.uniform(-0.0025, 0.0025))
    known = [incident(somewhere()) for _ in range(15)]
    sightings = [(somewhere(), f"cam-{rng.randrange(100)}") for _ in range(300)]  # some cameras twice
    plan = BatchPlacement(CATALOG, known, {})

    decided = [plan.place(uuid4(), report(where), VENDING, NOWHERE, NOW, (camera, VENDOR)).incident.id
               for where, camera in sightings]

    stored: dict[UUID, Incident] = {i.id: i for i in known}
    fed: dict[str, tuple[UUID, datetime]] = {}
    expected: list[UUID] = []
    for where, camera in sightings:  # the single path: every stored incident is a candidate
        seen = fed.get(camera)
        target = suppressed_by(VENDOR, stored[seen[0]], seen[1], NOW) if seen else None
        target = target or find_duplicate("330106004", VENDING, where, stored.values(), NOW)
        outcome = (join_incident(target, report(where), CATALOG, VENDING, NOW) if target
                   else open_incident(report(where), VENDING, NOWHERE, NOW))
        stored[outcome.incident.id] = outcome.incident
        fed[camera] = (outcome.incident.id, NOW)
        expected.append(outcome.incident.id)
    assert _shape(decided, known) == _shape(expected, known)
    assert len({i for i in decided if i not in {k.id for k in known}}) > 5  # the batch opened some itself


def _shape(ids: list[UUID], known: list[Incident]) -> list[str]:
    """Which incident each sighting went to: a loaded one by position, a new one by its first sighting."""
    loaded = {incident.id: f"loaded {n}" for n, incident in enumerate(known)}
    first: dict[UUID, str] = {}
    return [loaded.get(i) or first.setdefault(i, f"new at {n}") for n, i in enumerate(ids)]
