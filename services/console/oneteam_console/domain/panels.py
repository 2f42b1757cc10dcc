"""The case and mediation panels: open cases by their next legal deadline, mediations by their next session."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

Row = dict[str, Any]
CASE_DONE = frozenset({"paid", "not_filed", "transferred", "closed"})
MEDIATION_DONE = frozenset({"concluded"})


def unwrap(row: Mapping[str, Any]) -> Mapping[str, Any]:
    """The case or mediation inside its service's answer (`{"case": …}` / `{"mediation": …}`)."""
    inner = row.get("case") or row.get("mediation")
    return inner if isinstance(inner, Mapping) else row


def _at(value: Any) -> datetime:
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))


def case_rows(answer: list[Mapping[str, Any]], now: datetime) -> list[Row]:
    """Open cases, the one with the nearest open legal deadline first; missed ones named."""
    rows = []
    for case in map(unwrap, answer):
        if case.get("state") in CASE_DONE:
            continue
        deadlines = sorted(((_at(at), kind) for kind, at in (case.get("deadlines") or {}).items() if at))
        nearest = deadlines[0] if deadlines else None
        rows.append({"id": str(case["id"]), "state": case.get("state"), "incident_id": case.get("incident_id"),
                     "next_deadline": nearest[1] if nearest else None,
                     "next_deadline_at": nearest[0].isoformat() if nearest else None,
                     "overdue": bool(nearest and nearest[0] <= now) or bool(case.get("missed"))})
    return sorted(rows, key=lambda r: (r["next_deadline_at"] is None, r["next_deadline_at"] or "", r["id"]))


def mediation_rows(answer: list[Mapping[str, Any]], now: datetime) -> list[Row]:
    """Mediations not concluded, the one with the nearest coming session first."""
    rows = []
    for mediation in map(unwrap, answer):
        if mediation.get("state") in MEDIATION_DONE:
            continue
        coming = sorted(_at(s["starts_at"]) for s in mediation.get("sessions", []) if _at(s["starts_at"]) >= now)
        rows.append({"id": str(mediation["id"]), "state": mediation.get("state"),
                     "incident_id": mediation.get("incident_id"),
                     "next_session_at": coming[0].isoformat() if coming else None})
    return sorted(rows, key=lambda r: (r["next_session_at"] is None, r["next_session_at"] or "", r["id"]))
