"""The picture the screen draws: states, closed-today, the queue's order and the clocks' order."""

from datetime import UTC, datetime, timedelta

from oneteam_console.domain.picture import build_picture

NOW = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
DAY_START = datetime(2026, 11, 24, 16, 0, tzinfo=UTC)  # midnight in Hangzhou


def incident(ident: str, status: str = "reported", last: datetime = NOW) -> dict[str, object]:
    return {"id": ident, "category": "street_vending", "priority": "normal", "status": status,
            "location": {"lon": 120.12, "lat": 30.29}, "district": "D01", "grid": "D01-G1",
            "opened_at": last.isoformat(), "last_report_at": last.isoformat(), "report_count": 1}


def order(ident: str, status: str, deadline: datetime, escalated: list[str] | None = None) -> dict[str, object]:
    return {"id": "a-" + ident, "officer_ids": ["cy-001"], "status": status, "escalated": escalated or [],
            "location": {"lon": 120.13, "lat": 30.28},
            "deadlines": {"acknowledge": deadline.isoformat(), "arrive": deadline.isoformat()}}


def board_row(ident: str, state: str, assignment: dict[str, object] | None = None,
              stage: str | None = None) -> dict[str, object]:
    return {"incident_id": ident, "category": "street_vending", "priority": "high", "state": state,
            "reason": None, "assignment": assignment, "next_stage": stage}


def test_each_incident_takes_the_state_the_map_colours_it_by() -> None:
    board = {"incidents": [
        board_row("q", "queued"),
        board_row("a", "assigned", order("a", "created", NOW + timedelta(minutes=1)), "acknowledge"),
        board_row("s", "assigned", order("s", "arrived", NOW + timedelta(minutes=5)), "arrive"),
    ], "alerts": [], "officers": []}
    intakes = [incident("q"), incident("a"), incident("s"), incident("new"), incident("done", "closed")]

    picture = build_picture(board, intakes, NOW, DAY_START)

    assert {k: v["state"] for k, v in picture.incidents.items()} == {
        "q": "queued", "a": "assigned", "s": "on_scene", "new": "reported", "done": "closed"}


def test_an_incident_closed_before_today_leaves_the_map() -> None:
    yesterday = DAY_START - timedelta(hours=2)
    picture = build_picture({"incidents": [], "alerts": [], "officers": []},
                            [incident("old", "closed", yesterday), incident("today", "closed")], NOW, DAY_START)

    assert list(picture.incidents) == ["today"]


def test_an_order_without_intakes_row_is_drawn_at_the_orders_location() -> None:
    board = {"incidents": [board_row("x", "assigned", order("x", "created", NOW), "acknowledge")],
             "alerts": [], "officers": []}

    drawn = build_picture(board, [], NOW, DAY_START).incidents["x"]

    assert (drawn["lon"], drawn["lat"]) == (120.13, 30.28)


def test_the_queue_lists_the_oldest_first_with_dispatchs_reason() -> None:
    board = {"incidents": [], "officers": [], "alerts": [
        {"kind": "queued", "incident_id": "late", "category": "noise", "reason": "no_officer_in_reach",
         "since": (NOW - timedelta(minutes=1)).isoformat()},
        {"kind": "queued", "incident_id": "early", "category": "noise", "reason": "no_responsibility_entry",
         "since": (NOW - timedelta(minutes=9)).isoformat()},
    ]}

    queue = build_picture(board, [], NOW, DAY_START).queue

    assert [(q["incident_id"], q["reason"]) for q in queue] == [
        ("early", "no_responsibility_entry"), ("late", "no_officer_in_reach")]


def test_escalated_orders_come_first_then_the_closest_deadline_and_missed_ones_are_marked() -> None:
    board = {"alerts": [], "officers": [], "incidents": [
        board_row("soon", "assigned", order("soon", "created", NOW + timedelta(seconds=20)), "acknowledge"),
        board_row("missed", "assigned", order("missed", "created", NOW - timedelta(seconds=5)), "acknowledge"),
        board_row("esc", "assigned", order("esc", "acknowledged", NOW + timedelta(minutes=4), ["arrive"]), "arrive"),
    ]}

    clocks = build_picture(board, [], NOW, DAY_START).clocks

    assert [c["incident_id"] for c in clocks] == ["esc", "missed", "soon"]
    assert [c["missed"] for c in clocks] == [False, True, False]
