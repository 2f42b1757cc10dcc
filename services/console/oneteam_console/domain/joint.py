"""Joint operations (综合查一次) on the map: one point per target, by how far its checklist is.

Dispatch plans the visit (one officer per department, one combined checklist) and members
record findings; the screen shows where the visits are and which are still open, so a
commander sees the planned inspections next to the incidents. A finished operation stays on
the map for the local day it finished, like a closed incident, then leaves.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

Row = dict[str, Any]


def _at(value: Any) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value).replace("Z", "+00:00"))


def operation_stage(checked: int, items: int) -> str:
    """planned (nothing recorded), in_progress, or complete (every item has a finding)."""
    if items and checked >= items:
        return "complete"
    return "in_progress" if checked else "planned"


def joint_rows(operations: list[Mapping[str, Any]], local_day_start: datetime) -> list[Row]:
    """Dispatch's operations → the map's rows, open ones first, then by target name."""
    rows = []
    for op in operations:
        items = {item["code"] for item in op.get("checklist", [])}
        findings = op.get("findings", [])
        checked = len(items & {f["item_code"] for f in findings})
        stage = operation_stage(checked, len(items))
        if stage == "complete":
            finished = max((_at(f["recorded_at"]) for f in findings), default=_at(op["created_at"]))
            if finished < local_day_start:
                continue
        rows.append({
            "id": str(op["id"]), "stage": stage, "target_id": op["target_id"], "target_name": op["target_name"],
            "round": op["round"], "lon": op["location"]["lon"], "lat": op["location"]["lat"],
            "departments": sorted(op.get("members", {})), "officer_ids": sorted(op.get("members", {}).values()),
            "checked": checked, "items": len(items),
            # Items, not findings: an item found wanting twice is still one case for the department.
            "enforcement": len({f["item_code"] for f in findings if f.get("needs_enforcement")}),
        })
    return sorted(rows, key=lambda r: (r["stage"] == "complete", r["target_name"], r["id"]))
