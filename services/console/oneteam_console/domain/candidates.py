"""Candidate officers for one incident, with an ETA and the reasons, for the commander to choose from.

Dispatch decides and checks (a manual assignment of officers who do not fit answers 422 unless
forced); this ranking only helps the commander pick. It uses the same public inputs dispatch
does — the category's responsibility entry, each officer's status, skills and live position —
and dispatch's documented urban speeds and detour factor, so its ETA reads like the orders' ETA.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from oneteam_contracts.geodesy import haversine_m

SPEEDS_MPS = {"on_foot": 1.3, "e_bike": 4.5, "car": 6.5}
DETOUR_FACTOR = 1.35  # road distance ≈ 1.3-1.4 × great-circle in Chinese cities
FREE = frozenset({"available"})


@dataclass(frozen=True)
class Candidate:
    """One officer the commander could send, and why (or why not)."""

    officer_id: str
    name: str
    department: str
    status: str
    mode: str
    eta_s: float | None
    fits: bool
    reasons: tuple[str, ...]

    def as_json(self) -> dict[str, Any]:
        """The row the page lists."""
        return {"officer_id": self.officer_id, "name": self.name, "department": self.department,
                "status": self.status, "mode": self.mode, "eta_s": self.eta_s, "fits": self.fits,
                "reasons": list(self.reasons)}


def eta_s(officer: Mapping[str, Any], lon: float, lat: float) -> float | None:
    """Seconds to reach (lon, lat) at the officer's travel mode; None without a position."""
    if officer.get("lon") is None or officer.get("lat") is None:
        return None
    metres = haversine_m(officer["lon"], officer["lat"], lon, lat) * DETOUR_FACTOR
    return round(metres / SPEEDS_MPS.get(officer["mode"], SPEEDS_MPS["on_foot"]), 1)


def rank(officers: list[Mapping[str, Any]], incident: Mapping[str, Any],
         entry: Mapping[str, Any] | None, limit: int = 10) -> list[Candidate]:
    """Officers who fit the category's entry and are free come first, each group by ETA."""
    department = entry.get("department") if entry else None
    skills = frozenset(entry.get("skills", [])) if entry else frozenset()
    found = []
    for officer in officers:
        reasons: list[str] = []
        fits = True
        if department and officer["department"] != department:
            fits = False
            reasons.append(f"department {officer['department']}, entry needs {department}")
        missing = sorted(skills - frozenset(officer.get("skills", [])))
        if missing:
            fits = False
            reasons.append("lacks " + ", ".join(missing))
        if officer["status"] not in FREE:
            reasons.append(f"{officer['status']}, {officer.get('active_orders', 0)} open order(s)")
        if officer.get("stale"):
            reasons.append("position is stale")
        eta = eta_s(officer, incident["lon"], incident["lat"])
        if eta is None:
            reasons.append("no position")
        elif fits and officer["status"] in FREE:
            reasons.append(f"free, about {round(eta / 60, 1)} min away by {officer['mode']}")
        found.append(Candidate(officer_id=officer["id"], name=officer["name"], department=officer["department"],
                               status=officer["status"], mode=officer["mode"], eta_s=eta, fits=fits,
                               reasons=tuple(reasons)))
    found.sort(key=lambda c: (not c.fits, c.status not in FREE, c.eta_s is None, c.eta_s or 0.0, c.officer_id))
    return found[:limit]
