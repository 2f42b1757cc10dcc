"""Position batches, and the joint operation's checklist and findings."""

from __future__ import annotations

from datetime import timedelta

import pytest

from oneteam_contracts import GeoPoint
from oneteam_dispatch.domain import joint
from oneteam_dispatch.domain.positions import Fix, accept_fixes
from oneteam_servicekit.errors import Conflict, Forbidden, InvalidRequest

from .factories import NOW, east


def test_a_batch_out_of_order_yields_its_newest_fix() -> None:
    fixes = [Fix(east(0), NOW - timedelta(seconds=10)), Fix(east(50), NOW), Fix(east(20), NOW - timedelta(seconds=5))]

    kept, newest = accept_fixes(fixes, None, NOW)

    assert [f.recorded_at for f in kept] == sorted(f.recorded_at for f in fixes)
    assert newest is not None and newest.position == east(50)


def test_a_late_batch_goes_to_the_track_but_does_not_move_the_officer() -> None:
    kept, newest = accept_fixes([Fix(east(0), NOW - timedelta(minutes=5))], NOW - timedelta(minutes=1), NOW)

    assert len(kept) == 1 and newest is None


def test_a_fix_from_the_future_is_refused_naming_it() -> None:
    with pytest.raises(InvalidRequest, match=r"fixes\.1\.recorded_at"):
        accept_fixes([Fix(east(0), NOW), Fix(east(0), NOW + timedelta(minutes=5))], None, NOW)


def test_a_gcj02_fix_is_held_as_wgs84() -> None:
    point = GeoPoint(lon=120.1297, lat=30.2873, crs="gcj02")  # type: ignore[arg-type]

    assert 0.003 < 120.1297 - point.lon < 0.006


CHECKLISTS = {
    "market_regulation": [joint.ChecklistItem("mr_licence", "market_regulation", "licence")],
    "emergency_management": [joint.ChecklistItem("em_fire_exits", "emergency_management", "fire exits")],
}


def an_operation() -> joint.JointOperation:
    checklist = joint.combined_checklist(["market_regulation", "emergency_management"], CHECKLISTS)
    return joint.plan("330106004", "shop-1", "Noodle shop", east(0), "2026-Q4",
                      {"market_regulation": "mr1", "emergency_management": "em1"}, checklist, NOW)


def test_the_checklist_combines_every_departments_items() -> None:
    assert [i.code for i in an_operation().checklist] == ["mr_licence", "em_fire_exits"]


def test_a_department_without_a_checklist_is_refused() -> None:
    with pytest.raises(InvalidRequest, match="health"):
        joint.combined_checklist(["health"], CHECKLISTS)


def test_findings_complete_the_operation_and_a_resend_is_harmless() -> None:
    op, _, new = joint.record_finding(an_operation(), "mr1", "mr_licence", True, False, None, NOW)
    op, finding, _ = joint.record_finding(op, "em1", "em_fire_exits", False, True, "exit blocked", NOW)
    again, _, new_again = joint.record_finding(op, "em1", "em_fire_exits", False, True, "exit blocked", NOW)

    assert new and not new_again and again == op
    assert op.complete and finding.needs_enforcement


def test_an_officer_records_only_their_departments_items() -> None:
    with pytest.raises(Forbidden):
        joint.record_finding(an_operation(), "mr1", "em_fire_exits", True, False, None, NOW)
    with pytest.raises(Forbidden):
        joint.record_finding(an_operation(), "stranger", "mr_licence", True, False, None, NOW)


def test_a_different_finding_for_a_recorded_item_is_refused() -> None:
    op, _, _ = joint.record_finding(an_operation(), "mr1", "mr_licence", True, False, None, NOW)

    with pytest.raises(Conflict):
        joint.record_finding(op, "mr1", "mr_licence", False, True, "expired", NOW)
