"""The one picture of a tenant: incidents, queue, 1-3-5-8 clocks and officers, from the services' answers.

Dispatch's board knows what is open and how each order is doing; intake knows where every
incident is and which closed today. The picture joins the two so the map, the queue and the
clocks all read one consistent set of rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

# Stage of an order → the state the map colours the incident by.
_ORDER_STATE = {"created": "assigned", "acknowledged": "assigned", "arrived": "on_scene",
                "reported": "on_scene", "escalated": "assigned", "reassigned": "assigned"}
PRIORITY_RANK = {"urgent": 0, "high": 1, "normal": 2, "low": 3}

Row = dict[str, Any]


@dataclass(frozen=True)
class Picture:
    """Everything the page draws, keyed by id so two pictures can be compared."""

    at: datetime
    incidents: dict[str, Row]
    officers: dict[str, Row]
    queue: list[Row]
    clocks: list[Row]
    alerts: list[Row]

    def as_json(self) -> Row:
        """The full picture, as the page's first message."""
        return {"at": self.at.isoformat(), "incidents": list(self.incidents.values()),
                "officers": list(self.officers.values()), "queue": self.queue, "clocks": self.clocks,
                "alerts": self.alerts}


def _parse(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def incident_state(board_row: Row | None, intake_row: Row | None) -> str:
    """reported, queued, assigned, on_scene, handed_off or closed: what the map colours by."""
    if board_row is None:
        if intake_row is not None and intake_row.get("status") == "closed":
            return "closed"
        return "reported"  # intake has it, dispatch has not matched it yet (or not heard of it)
    order = board_row.get("assignment")
    if order is not None:
        return _ORDER_STATE.get(order["status"], "assigned")
    return {"queued": "queued", "handed_off": "handed_off"}.get(board_row["state"], "reported")


def build_picture(board: Row, intake_incidents: list[Row], now: datetime, local_day_start: datetime) -> Picture:
    """Join dispatch's board with intake's incidents; closed incidents stay on the map for the local day."""
    located = {row["id"]: row for row in intake_incidents}
    on_board = {str(row["incident_id"]): row for row in board.get("incidents", [])}
    incidents: dict[str, Row] = {}
    for incident_id in located.keys() | on_board.keys():
        seen = on_board.get(incident_id)
        found = located.get(incident_id)
        state = incident_state(seen, found)
        if state == "closed" and (found is None or _parse(found["last_report_at"]) < local_day_start):
            continue
        location = (found or {}).get("location") or ((seen or {}).get("assignment") or {}).get("location")
        if location is None:
            continue  # dispatch without intake's row and without an order: nowhere to draw it
        incidents[incident_id] = {
            "id": incident_id, "state": state,
            "category": (seen or found or {})["category"], "priority": (seen or found or {})["priority"],
            "lon": location["lon"], "lat": location["lat"],
            "district": (found or {}).get("district"), "grid": (found or {}).get("grid"),
            "opened_at": (found or {}).get("opened_at"), "reports": (found or {}).get("report_count", 1),
        }
    officers = {o["id"]: officer_row(o) for o in board.get("officers", [])}
    return Picture(at=now, incidents=incidents, officers=officers, queue=queue_rows(board, incidents),
                   clocks=clock_rows(board, now), alerts=[a for a in board.get("alerts", [])
                                                          if a.get("kind") == "escalated"])


def officer_row(officer: Row) -> Row:
    """What the map needs of an officer: where, how they travel, and whether they are free."""
    position = officer.get("position") or {}
    return {"id": officer["id"], "name": officer["name"], "status": officer["status"], "mode": officer["mode"],
            "department": officer["department"], "district": officer.get("district"),
            "position_at": _iso(officer.get("position_at")),
            "skills": officer.get("skills", []), "lon": position.get("lon"), "lat": position.get("lat"),
            "stale": officer.get("position_stale", False), "active_orders": officer.get("active_orders", 0)}


def _iso(value: Any) -> str | None:
    return value.isoformat() if isinstance(value, datetime) else value


def queue_rows(board: Row, incidents: dict[str, Row]) -> list[Row]:
    """Incidents nobody could be sent to, oldest first, with dispatch's reason."""
    rows = []
    for alert in board.get("alerts", []):
        if alert.get("kind") != "queued":
            continue
        incident_id = str(alert["incident_id"])
        drawn = incidents.get(incident_id, {})
        rows.append({"incident_id": incident_id, "category": alert.get("category") or drawn.get("category"),
                     "priority": drawn.get("priority", "normal"), "reason": alert.get("reason", ""),
                     "since": alert["since"] if isinstance(alert["since"], str) else alert["since"].isoformat()})
    return sorted(rows, key=lambda r: (_parse(r["since"]), r["incident_id"]))


def clock_rows(board: Row, now: datetime) -> list[Row]:
    """Every open order's next 1-3-5-8 deadline; escalated orders first, then the closest deadline."""
    rows = []
    for row in board.get("incidents", []):
        order = row.get("assignment")
        stage = row.get("next_stage")
        if order is None or stage is None:
            continue
        deadline = _parse(order["deadlines"][stage]) if isinstance(order["deadlines"][stage], str) \
            else order["deadlines"][stage]
        rows.append({"assignment_id": str(order["id"]), "incident_id": str(row["incident_id"]),
                     "category": row["category"], "priority": row["priority"], "stage": stage,
                     "deadline": deadline.isoformat(), "officer_ids": order["officer_ids"],
                     "escalated": sorted(order.get("escalated", [])), "missed": deadline <= now})
    return sorted(rows, key=lambda r: (not r["escalated"], r["deadline"], r["assignment_id"]))
