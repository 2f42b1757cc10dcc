"""Position fixes from officers' terminals and body cameras: which to keep, which is latest, which to publish."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from oneteam_contracts import GeoPoint, PositionSource, haversine_m
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
    check_fixes(fixes, now)
    ordered = sorted(fixes, key=lambda f: f.recorded_at)
    newest = ordered[-1] if ordered else None
    if newest is not None and latest_at is not None and newest.recorded_at <= latest_at:
        newest = None  # a late batch from a reconnecting terminal: track only
    return ordered, newest


def check_fixes(fixes: list[Fix], now: datetime) -> None:
    """Refuse a fix from the future (beyond clock skew) or older than a day, naming it."""
    for index, fix in enumerate(fixes):
        if fix.recorded_at > now + CLOCK_SKEW:
            raise InvalidRequest(f"fixes.{index}.recorded_at is in the future", field=f"fixes.{index}.recorded_at")
        if fix.recorded_at < now - OLDEST_ACCEPTED:
            raise InvalidRequest(f"fixes.{index}.recorded_at is more than a day old",
                                 field=f"fixes.{index}.recorded_at")


TrackKey = tuple[str, datetime, PositionSource]


def track_key(officer_id: str, fix: Fix) -> TrackKey:
    """What makes a fix the same fix again (the track's primary key): a resent fix has it too."""
    return officer_id, fix.recorded_at.astimezone(UTC), fix.source


@dataclass(frozen=True)
class Flush:
    """What one group commit writes: each post's fixes new to this flush, and officers' new latest fixes."""

    track: list[list[Fix]]  # per post, in the order given; a fix another post of the flush already carries is left out
    latest: dict[str, Fix]  # officer → the newest fix of the flush, where it is newer than the stored one


def plan_flush(posts: list[tuple[str, list[Fix]]], stored_at: dict[str, datetime | None]) -> Flush:
    """Coalesce the posts gathered for one transaction: the newest `recorded_at` wins per officer.

    Posts may arrive out of order (a terminal's buffered fixes after a live one, a retry after a
    timeout); an officer's position only ever moves forward in recorded time, so a late or
    repeated fix reaches the track but never moves the officer back.
    """
    seen: set[TrackKey] = set()
    track: list[list[Fix]] = []
    latest: dict[str, Fix] = {}
    for officer_id, fixes in posts:
        fresh = []
        for fix in sorted(fixes, key=lambda f: f.recorded_at):
            key = track_key(officer_id, fix)
            if key not in seen:
                seen.add(key)
                fresh.append(fix)
            best = latest.get(officer_id)
            if best is None or fix.recorded_at > best.recorded_at:
                latest[officer_id] = fix
        track.append(fresh)
    newer = {officer_id: fix for officer_id, fix in latest.items()
             if (at := stored_at.get(officer_id)) is None or fix.recorded_at > at}
    return Flush(track, newer)


@dataclass(frozen=True)
class Published:
    """The position an officer's last `officer.position_reported` carried, and when it was staged
    (seconds on the replica's monotonic clock)."""

    position: GeoPoint
    at_s: float


@dataclass(frozen=True)
class Pace:
    """How often an officer's position goes to the compacted positions topic.

    The topic feeds maps (the command centre, other platforms), which need where officers are
    to within a street, not every fix: 2 000 officers at a fix every 5 s were 400 events a second,
    a fifth of the suite's CPU for positions (load test, 2026-11-26). Matching and arrival read
    the officers' rows, which every fix still moves.
    """

    every_s: float  # at most one event per officer this often (0: every flush's newest fix)...
    moved_m: float  # ...unless they moved at least this far from the last one sent

    def due(self, fix: Fix, last: Published | None, now_s: float) -> bool:
        """Whether `fix`, an officer's new newest, goes to the topic now (else it waits its turn)."""
        if last is None or now_s - last.at_s >= self.every_s:
            return True
        moved = haversine_m(last.position.lon, last.position.lat, fix.position.lon, fix.position.lat)
        return moved >= self.moved_m

    def next_turn(self, last: Published) -> float:
        """When a waiting fix goes out at the latest, had the officer sent nothing newer."""
        return last.at_s + self.every_s
