"""Joint operations on the map: stage by checklist progress, finished ones leave after their day."""

from datetime import UTC, datetime, timedelta

from oneteam_console.domain.joint import joint_rows, operation_stage

DAY_START = datetime(2026, 11, 24, 16, 0, tzinfo=UTC)  # midnight in Asia/Shanghai


def operation(op_id: str, name: str, found: list[tuple[str, bool, datetime]]) -> dict[str, object]:
    return {
        "id": op_id, "tenant": "330106004", "target_id": f"shop-{op_id}", "target_name": name, "round": "2026-Q4",
        "location": {"lon": 120.12, "lat": 30.28}, "members": {"market": "cy-002", "fire": "cy-001"},
        "checklist": [{"code": "licence", "department": "market", "text": "licence shown"},
                      {"code": "exits", "department": "fire", "text": "exits clear"}],
        "findings": [{"item_code": code, "officer_id": "cy-001", "compliant": not enforce,
                      "needs_enforcement": enforce, "note": None, "recorded_at": at.isoformat()}
                     for code, enforce, at in found],
        "complete": len(found) == 2, "created_at": (DAY_START - timedelta(days=3)).isoformat(),
    }


def test_the_stage_follows_the_checklist() -> None:
    assert [operation_stage(0, 2), operation_stage(1, 2), operation_stage(2, 2)] == \
        ["planned", "in_progress", "complete"]
    assert operation_stage(0, 0) == "planned"  # an empty checklist is not "done"


def test_open_operations_first_and_finished_ones_only_on_their_day() -> None:
    today, yesterday = DAY_START + timedelta(hours=2), DAY_START - timedelta(hours=2)
    rows = joint_rows([
        operation("a", "Zeta shop", [("licence", True, today), ("exits", True, today)]),
        operation("b", "Beta shop", [("licence", False, yesterday), ("exits", True, yesterday)]),
        operation("c", "Gamma shop", [("exits", True, yesterday), ("licence", True, yesterday)]),
        operation("d", "Alpha shop", [("licence", True, yesterday)]),
        operation("e", "Delta shop", []),
    ], DAY_START)
    assert [(r["id"], r["stage"]) for r in rows] == [("d", "in_progress"), ("e", "planned"), ("a", "complete")]


def test_a_row_names_its_departments_officers_progress_and_enforcement() -> None:
    later = DAY_START + timedelta(hours=1)
    [row] = joint_rows([operation("x", "Shop", [("licence", True, later), ("licence", True, later)])], DAY_START)
    assert row == {"id": "x", "stage": "in_progress", "target_id": "shop-x", "target_name": "Shop",
                   "round": "2026-Q4", "lon": 120.12, "lat": 30.28, "departments": ["fire", "market"],
                   "officer_ids": ["cy-001", "cy-002"], "checked": 1, "items": 2, "enforcement": 1}
