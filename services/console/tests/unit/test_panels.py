"""The case and mediation panels: what is still open, the nearest legal deadline or session first."""

from datetime import UTC, datetime, timedelta

from oneteam_console.domain.panels import case_rows, mediation_rows

NOW = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)


def at(days: float) -> str:
    return (NOW + timedelta(days=days)).isoformat()


def test_open_cases_come_by_their_nearest_legal_deadline_and_closed_ones_leave() -> None:
    answer = [
        {"case": {"id": "late", "state": "filed", "deadlines": {"decision": at(80), "notice": at(-1)}, "missed": []}},
        {"case": {"id": "soon", "state": "notified", "deadlines": {"hearing_request": at(2)}}},
        {"case": {"id": "done", "state": "closed", "deadlines": {}}},
        {"case": {"id": "quiet", "state": "decided", "deadlines": {}}},
    ]

    rows = case_rows(answer, NOW)

    assert [(r["id"], r["next_deadline"], r["overdue"]) for r in rows] == [
        ("late", "notice", True), ("soon", "hearing_request", False), ("quiet", None, False)]


def test_mediations_come_by_their_next_session_and_past_sessions_do_not_count() -> None:
    answer = [
        {"mediation": {"id": "b", "state": "open", "sessions": [{"starts_at": at(3)}]}},
        {"mediation": {"id": "a", "state": "open", "sessions": [{"starts_at": at(-1)}, {"starts_at": at(1)}]}},
        {"mediation": {"id": "z", "state": "concluded", "sessions": [{"starts_at": at(0.5)}]}},
    ]

    rows = mediation_rows(answer, NOW)

    assert [(r["id"], r["next_session_at"]) for r in rows] == [("a", at(1)), ("b", at(3))]
