"""Officers' newest positions laid over a picture, so a fix reaches the map without re-reading the board.

Dispatch's board is the truth about every officer, but reading it for 5 000 officers takes
seconds on a busy machine; the position topic carries each fix as it happens. Whichever of the
two is newer wins, so a slow board read never moves an officer back.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime

from oneteam_console.domain.picture import Picture


@dataclass(frozen=True)
class Fix:
    """An officer's position from the topic, and when it was taken."""

    lon: float
    lat: float
    recorded_at: datetime


def _newer(fix: Fix, position_at: str | None) -> bool:
    if position_at is None:
        return True
    return fix.recorded_at > datetime.fromisoformat(position_at.replace("Z", "+00:00"))


def with_positions(picture: Picture, fixes: Mapping[str, Fix]) -> Picture:
    """`picture` with each officer at the newer of its board position and its latest fix."""
    officers = dict(picture.officers)
    changed = False
    for officer_id, fix in fixes.items():
        row = officers.get(officer_id)
        if row is None or not _newer(fix, row.get("position_at")):
            continue
        officers[officer_id] = {**row, "lon": fix.lon, "lat": fix.lat, "position_at": fix.recorded_at.isoformat(),
                                "stale": False}
        changed = True
    return replace(picture, officers=officers) if changed else picture
