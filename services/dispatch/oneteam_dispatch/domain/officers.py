"""Officers (队员): who they are, what they can do, where they are and what they are doing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from enum import StrEnum

from oneteam_contracts import GeoPoint


class OfficerStatus(StrEnum):
    """What an officer is doing now."""

    OFF_DUTY = "off_duty"
    AVAILABLE = "available"
    ASSIGNED = "assigned"
    EN_ROUTE = "en_route"
    ON_SCENE = "on_scene"
    REPORTING = "reporting"
    ON_BREAK = "on_break"


class TravelMode(StrEnum):
    """How an officer moves between jobs."""

    ON_FOOT = "on_foot"
    E_BIKE = "e_bike"
    CAR = "car"


# Statuses an officer's own app may set; the assignment statuses are set by orders.
SELF_SET_STATUSES = frozenset({OfficerStatus.OFF_DUTY, OfficerStatus.AVAILABLE, OfficerStatus.ON_BREAK})


@dataclass(frozen=True)
class Shift:
    """A daily on-duty window in local time (Asia/Shanghai); may run past midnight."""

    start: time
    end: time

    def covers(self, local: time) -> bool:
        """Whether the local time of day falls in the window ("00:00-24:00" is all day)."""
        if self.start == self.end:
            return True
        if self.start < self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end


_CHINA_STANDARD_TIME = timedelta(hours=8)  # China has one time zone and no daylight saving


@dataclass(frozen=True)
class Officer:
    """A person who can be dispatched."""

    id: str
    tenant: str
    name: str
    team: str | None
    status: OfficerStatus
    position: GeoPoint | None
    last_assigned_at: datetime | None
    department: str = "comprehensive_enforcement"
    district: str | None = None
    skills: frozenset[str] = frozenset()
    mode: TravelMode = TravelMode.E_BIKE
    shifts: tuple[Shift, ...] = ()
    position_at: datetime | None = None
    active_orders: int = 0

    def on_shift(self, now: datetime) -> bool:
        """Whether `now` falls in one of the officer's shifts (no shifts listed: always)."""
        if not self.shifts:
            return True
        local = (now + _CHINA_STANDARD_TIME).time()
        return any(shift.covers(local) for shift in self.shifts)

    def can_take_orders(self, now: datetime) -> bool:
        """Available, on shift and with a known position."""
        return self.status is OfficerStatus.AVAILABLE and self.position is not None and self.on_shift(now)

    def position_is_stale(self, now: datetime, stale_after: timedelta) -> bool:
        """True when the last fix is older than `stale_after` (or its time is unknown)."""
        return self.position_at is None or now - self.position_at > stale_after
