"""What each role sees on the screen, and the incident's story in order."""

from oneteam_console.domain.access import actions, panels
from oneteam_console.domain.timeline import timeline


def test_a_commander_sees_everything_and_may_act() -> None:
    assert {"map", "queue", "clocks", "figures"} <= panels(["commander"])
    assert actions(["commander"]) == {"assign", "override", "acknowledge_alert"}


def test_an_auditor_sees_figures_and_cases_and_may_not_act() -> None:
    assert panels(["auditor"]) == {"figures", "cases"}
    assert actions(["auditor"]) == frozenset()


def test_a_citizen_or_officer_sees_nothing() -> None:
    assert panels(["citizen", "officer"]) == frozenset()


def test_the_timeline_interleaves_every_services_events_by_time() -> None:
    reports = [{"received_at": "2026-11-25T08:00:00+00:00", "source": "grid_worker"},
               {"received_at": "2026-11-25T08:03:00+00:00", "source": "hotline_12345"}]
    orders = [{"created_at": "2026-11-25T08:00:01+00:00", "officer_ids": ["cy-001"], "reason": "nearest",
               "members": [{"officer_id": "cy-001", "acknowledged_at": "2026-11-25T08:00:40+00:00",
                            "arrived_at": None}],
               "escalated": ["arrive"], "deadlines": {"arrive": "2026-11-25T08:05:01+00:00"}}]
    cases = [{"opened_at": "2026-11-25T08:10:00+00:00", "state": "opened"}]

    entries = timeline(reports, orders, cases, [])

    assert [e["what"] for e in entries] == ["report", "order", "acknowledged", "report", "escalated", "case"]
