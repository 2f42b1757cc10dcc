"""Position fixes from officers' terminals and body cameras: which to keep, which is latest."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from oneteam_contracts import GeoPoint, PositionSource
from oneteam_servicekit.errors import InvalidRequest

# Phone clocks drift; a fix a little "from the future" is the phone's clock, not a lie.
CLOCK_SKEW = timedelta(seconds=60)
# Terminals buffer fixes while offline; older ones are too old to replay usefully.
OLDEST_ACCEPTED = timedelta(hours=24)


@dataclass(frozen=True)
class Fix:
    """One GPS fix, already converted to WGS-84."""

    position: GeoPoint
    recorded_at: datetime
    source: PositionSource = PositionSource.TERMINAL
    accuracy_m: float | None = None


def accept_fixes(fixes: list[Fix], latest_at: datetime | None, now: datetime) -> tuple[list[Fix], Fix | None]:
    """The fixes to keep for the track (oldest first) and the new latest fix, if one is newer.

    A fix from the future (beyond clock skew) or older than a day is refused, naming it.
    """
    for index, fix in enumerate(fixes):
        if fix.recorded_at > now + CLOCK_SKEW:
            raise InvalidRequest(f"fixes.{index}.recorded_at is in the future", field=f"fixes.{index}.recorded_at")
        if fix.recorded_at < now - OLDEST_ACCEPTED:
            raise InvalidRequest(f"fixes.{index}.recorded_at is more than a day old",
                                 field=f"fixes.{index}.recorded_at")
    ordered = sorted(fixes, key=lambda f: f.recorded_at)
    newest = ordered[-1] if ordered else None
    if newest is not None and latest_at is not None and newest.recorded_at <= latest_at:
        newest = None  # a late batch from a reconnecting terminal: track only
    return ordered, newest
