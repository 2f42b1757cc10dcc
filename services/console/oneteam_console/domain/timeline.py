"""An incident's full story in order: every report, order, stage, case and mediation event."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

Entry = dict[str, Any]

_STAGES = ("acknowledged_at", "coordinated_at", "arrived_at", "reported_at")


def _when(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str):
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    return None


def timeline(reports: list[Mapping[str, Any]], orders: list[Mapping[str, Any]],
             cases: list[Mapping[str, Any]], mediations: list[Mapping[str, Any]]) -> list[Entry]:
    """Entries `{at, source, what, detail}` from each service's answer, oldest first."""
    entries: list[Entry] = []

    def add(at: Any, source: str, what: str, detail: str = "") -> None:
        when = _when(at)
        if when is not None:
            entries.append({"at": when, "source": source, "what": what, "detail": detail})

    for r in reports:
        add(r.get("received_at") or r.get("reported_at"), "intake", "report", str(r.get("source", "")))
    for o in orders:
        officers = ", ".join(o.get("officer_ids", []))
        add(o.get("created_at"), "dispatch", "order", f"{officers}: {o.get('reason', '')}")
        for member in o.get("members", []):
            for stage in _STAGES:
                add(member.get(stage), "dispatch", stage.removesuffix("_at"), str(member.get("officer_id", "")))
        for stage in o.get("escalated", []):
            add(o.get("deadlines", {}).get(stage), "dispatch", "escalated", str(stage))
    for c in cases:
        add(c.get("opened_at") or c.get("created_at"), "case_penalty", "case", str(c.get("state", "")))
    for m in mediations:
        add(m.get("opened_at") or m.get("created_at"), "mediation", "mediation", str(m.get("state", "")))
    entries.sort(key=lambda e: (e["at"], e["source"], e["what"]))
    return [{**e, "at": e["at"].isoformat()} for e in entries]
