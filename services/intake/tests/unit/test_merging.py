"""Which open incident a new report joins, and what joining does to it."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from uuid import uuid4

from oneteam_contracts import GeoPoint, Priority, ReportSource
from oneteam_intake.domain.catalog import CameraLabel, Catalog, Category
from oneteam_intake.domain.geography import Placement
from oneteam_intake.domain.merging import find_duplicate, search_box, suppressed_by
from oneteam_intake.domain.reports import Incident, IncidentStatus, NewReport, join_incident, open_incident

NOW = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)
HERE = GeoPoint(lon=120.125, lat=30.29)
VENDING = Category("street_vending", "流动摊贩", "Street vending", Priority.NORMAL, 80, timedelta(minutes=120), True)
CATALOG = Catalog({"street_vending": VENDING}, escalate_every=3)


def east(metres: float) -> GeoPoint:
    return GeoPoint(lon=HERE.lon + metres / 96_000, lat=HERE.lat)


def incident(where: GeoPoint = HERE, **changes: object) -> Incident:
    base = Incident(uuid4(), "330106004", "street_vending", Priority.NORMAL, where, "摊贩", IncidentStatus.REPORTED,
                    1, NOW - timedelta(minutes=10), NOW - timedelta(minutes=10))
    return replace(base, **changes)  # type: ignore[arg-type]


def report(where: GeoPoint = HERE) -> NewReport:
    return NewReport("330106004", "street_vending", "又有摊贩", where, ReportSource.CITIZEN_APP)


def test_report_within_radius_and_window_joins_the_nearest_open_incident() -> None:
    near, nearer = incident(east(60)), incident(east(20))

    assert find_duplicate("330106004", VENDING, HERE, [near, nearer], NOW) == nearer


def test_report_beyond_the_radius_opens_a_new_incident() -> None:
    assert find_duplicate("330106004", VENDING, HERE, [incident(east(90))], NOW) is None


def test_window_counts_from_the_latest_report_not_the_first() -> None:
    old_but_active = incident(opened_at=NOW - timedelta(hours=5), last_report_at=NOW - timedelta(minutes=119))
    quiet = incident(last_report_at=NOW - timedelta(minutes=121))

    assert find_duplicate("330106004", VENDING, HERE, [old_but_active], NOW) == old_but_active
    assert find_duplicate("330106004", VENDING, HERE, [quiet], NOW) is None


def test_closed_incidents_other_categories_and_tenants_are_never_joined() -> None:
    candidates = [incident(status=IncidentStatus.CLOSED), incident(category="noise"), incident(tenant="330106005")]

    assert find_duplicate("330106004", VENDING, HERE, candidates, NOW) is None


def test_joining_counts_the_report_and_raises_priority_every_third_report() -> None:
    counts_and_priorities = []
    current = incident()
    for _ in range(6):
        merged = join_incident(current, report(), CATALOG, VENDING, NOW)
        current = merged.incident
        counts_and_priorities.append((current.report_count, current.priority))

    assert counts_and_priorities == [(2, Priority.NORMAL), (3, Priority.HIGH), (4, Priority.HIGH),
                                     (5, Priority.HIGH), (6, Priority.URGENT), (7, Priority.URGENT)]
    assert current.last_report_at == NOW


def test_joining_never_lowers_a_priority_raised_by_hand() -> None:
    merged = join_incident(incident(priority=Priority.URGENT), report(), CATALOG, VENDING, NOW)

    assert merged.incident.priority is Priority.URGENT and merged.priority_raised is False


def test_merged_event_carries_count_and_priority_and_reported_event_the_area() -> None:
    opened = open_incident(report(), VENDING, Placement("D02", "D02-G1"), NOW)
    merged = join_incident(opened.incident, report(), CATALOG, VENDING, NOW + timedelta(minutes=1))

    assert opened.event().district == "D02" and opened.event().grid == "D02-G1"
    assert merged.event().report_count == 2 and merged.event().incident_id == opened.incident.id


def test_reported_event_description_has_personal_details_removed() -> None:
    chatty = replace(report(), description="摊贩，我电话13812345678")
    opened = open_incident(chatty, VENDING, Placement(None, None), NOW)

    assert "13812345678" not in opened.event().description


def test_camera_suppression_holds_within_its_window_only() -> None:
    label = CameraLabel("street_vendor", "street_vending", 0.5, 0.75, timedelta(minutes=30))
    fed = incident(east(500))

    assert suppressed_by(label, fed, NOW - timedelta(minutes=29), NOW) == fed
    assert suppressed_by(label, fed, NOW - timedelta(minutes=31), NOW) is None
    assert suppressed_by(label, replace(fed, status=IncidentStatus.CLOSED), NOW, NOW) is None


def test_search_box_contains_the_radius() -> None:
    min_lon, min_lat, max_lon, max_lat = search_box(HERE, 80)

    assert min_lon < east(-80).lon and east(80).lon < max_lon
    assert max_lat - min_lat > 2 * 80 / 111_320
