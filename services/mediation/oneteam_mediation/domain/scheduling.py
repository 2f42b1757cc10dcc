"""Booking a session: no mediator, room or party in two places at once.

A session books its mediator, its room (unless it is online) and each attending party for
its time. A clash with any existing booking is refused with what clashes, so the mediator can
pick another time; reminders go out at the registry's lead times before it starts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from uuid import UUID

from oneteam_mediation.domain.registry import Registry
from oneteam_servicekit.errors import Conflict, InvalidRequest

MAX_SESSION = timedelta(hours=8)
# Rooms and mediators' availability are planned a year out at most; later is a typing error.
MAX_AHEAD = timedelta(days=365)


class Resource(StrEnum):
    """What a booking holds."""

    MEDIATOR = "mediator"
    ROOM = "room"
    PARTY = "party"


@dataclass(frozen=True)
class Booking:
    """One resource held for one session's time."""

    resource: Resource
    resource_id: str
    session_id: UUID
    starts_at: datetime
    ends_at: datetime

    def overlaps(self, other: Booking) -> bool:
        """Whether both hold the same resource at the same time (back to back is fine)."""
        return (self.resource is other.resource and self.resource_id == other.resource_id
                and self.starts_at < other.ends_at and other.starts_at < self.ends_at)


@dataclass(frozen=True)
class SessionRequest:
    """A session as asked for."""

    session_id: UUID
    mediator_id: str
    room_id: str | None
    party_keys: tuple[str, ...]
    starts_at: datetime
    ends_at: datetime

    @property
    def online(self) -> bool:
        """An online session needs no room."""
        return self.room_id is None


def bookings_for(request: SessionRequest, registry: Registry, existing: Sequence[Booking],
                 now: datetime) -> list[Booking]:
    """The bookings `request` needs, checked against the registry and `existing`; refused with the clash."""
    if request.ends_at <= request.starts_at or request.ends_at - request.starts_at > MAX_SESSION:
        raise InvalidRequest("a session ends after it starts and lasts at most 8 hours", field="ends_at")
    if request.starts_at <= now:
        raise InvalidRequest("a session is scheduled in the future", field="starts_at")
    if request.starts_at > now + MAX_AHEAD:
        raise InvalidRequest(f"a session is booked at most {MAX_AHEAD.days} days ahead", field="starts_at")
    mediator = registry.mediator(request.mediator_id)
    if mediator is None or not mediator.active:
        raise InvalidRequest(f"no active mediator {request.mediator_id} in the registry", field="mediator_id")
    if not mediator.availability.covers(request.starts_at, request.ends_at):
        raise Conflict(f"{mediator.id} is not available then (available {', '.join(mediator.availability.days)} "
                       f"{mediator.availability.start:%H:%M}-{mediator.availability.end:%H:%M} China time)",
                       clash="mediator_unavailable")
    wanted = [Booking(Resource.MEDIATOR, mediator.id, request.session_id, request.starts_at, request.ends_at)]
    if request.room_id is not None:
        room = registry.room(request.room_id)
        if room is None:
            raise InvalidRequest(f"no room {request.room_id} in the registry", field="room_id")
        if len(request.party_keys) + 1 > room.capacity:
            raise Conflict(f"{room.id} holds {room.capacity}; this session needs {len(request.party_keys) + 1}",
                           clash="room_capacity")
        wanted.append(Booking(Resource.ROOM, room.id, request.session_id, request.starts_at, request.ends_at))
    wanted += [Booking(Resource.PARTY, key, request.session_id, request.starts_at, request.ends_at)
               for key in request.party_keys]
    for booking in wanted:
        clash = next((b for b in existing if b.session_id != request.session_id and b.overlaps(booking)), None)
        if clash is not None:
            who = "a party" if clash.resource is Resource.PARTY else f"{clash.resource.value} {clash.resource_id}"
            raise Conflict(f"{who} is booked from {clash.starts_at.isoformat()} to {clash.ends_at.isoformat()}",
                           clash=f"{clash.resource.value}_booked")
    return wanted


def reminder_times(starts_at: datetime, minutes_before: Sequence[int], now: datetime) -> list[tuple[int, datetime]]:
    """(lead, when) for each reminder still ahead of `now`; one already past is not sent late."""
    times = [(lead, starts_at - timedelta(minutes=lead)) for lead in sorted(set(minutes_before), reverse=True)]
    return [(lead, at) for lead, at in times if at > now]
