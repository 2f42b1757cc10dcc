"""Scheduling sessions: no mediator, room or party booked twice; reminders ahead of time."""

from datetime import timedelta
from uuid import uuid4

import pytest

from oneteam_mediation.domain.scheduling import Booking, SessionRequest, bookings_for, reminder_times
from oneteam_servicekit.errors import Conflict, InvalidRequest

from .factories import NOW, REGISTRY

START = NOW + timedelta(days=1)  # Thursday 10:00 China time
END = START + timedelta(hours=1)


def ask(mediator: str = "m-wang", room: str | None = "sunshine_room", parties: tuple[str, ...] = ("a", "b"),
        start: object = START, end: object = END) -> SessionRequest:
    return SessionRequest(uuid4(), mediator, room, parties, start, end)  # type: ignore[arg-type]


def test_a_free_slot_books_the_mediator_the_room_and_each_party() -> None:
    booked = bookings_for(ask(), REGISTRY, [], NOW)

    assert sorted((b.resource.value, b.resource_id) for b in booked) == [
        ("mediator", "m-wang"), ("party", "a"), ("party", "b"), ("room", "sunshine_room")]


@pytest.mark.parametrize(("first", "second", "clash"), [
    (ask(), ask(mediator="m-li", room=None, parties=("c", "d")), None),
    (ask(), ask(room=None, parties=("c", "d")), "mediator_booked"),
    (ask(), ask(mediator="m-li", parties=("c", "d")), "room_booked"),
    (ask(), ask(mediator="m-li", room=None, parties=("b", "e")), "party_booked"),
])
def test_a_second_session_at_the_same_time_is_refused_for_a_shared_mediator_room_or_party(
        first: SessionRequest, second: SessionRequest, clash: str | None) -> None:
    existing = bookings_for(first, REGISTRY, [], NOW)
    if clash is None:
        assert bookings_for(second, REGISTRY, existing, NOW)
        return
    with pytest.raises(Conflict) as refused:
        bookings_for(second, REGISTRY, existing, NOW)
    assert refused.value.extensions["clash"] == clash


def test_back_to_back_sessions_do_not_clash() -> None:
    existing = bookings_for(ask(), REGISTRY, [], NOW)

    assert bookings_for(ask(start=END, end=END + timedelta(hours=1)), REGISTRY, existing, NOW)


def test_an_online_session_needs_no_room_so_the_room_may_be_busy() -> None:
    existing = [Booking(*b.__dict__.values()) for b in bookings_for(ask(mediator="m-li", parties=("x", "y")),
                                                                    REGISTRY, [], NOW)]

    assert all(b.resource.value != "room" for b in bookings_for(ask(room=None), REGISTRY, existing, NOW))


def test_a_room_too_small_for_the_parties_is_refused() -> None:
    with pytest.raises(Conflict, match="holds 4"):
        bookings_for(ask(parties=("a", "b", "c", "d")), REGISTRY, [], NOW)


def test_a_session_outside_the_mediators_hours_or_in_the_past_is_refused() -> None:
    with pytest.raises(Conflict, match="not available"):
        bookings_for(ask(start=START + timedelta(hours=9), end=START + timedelta(hours=10)), REGISTRY, [], NOW)
    with pytest.raises(InvalidRequest, match="future"):
        bookings_for(ask(start=NOW - timedelta(hours=1), end=NOW), REGISTRY, [], NOW)


def test_reminders_go_out_a_day_and_an_hour_before_and_a_past_one_is_dropped() -> None:
    later = START + timedelta(hours=1)
    expected = [(1440, later - timedelta(days=1)), (60, later - timedelta(hours=1))]
    assert reminder_times(later, [60, 1440], NOW) == expected
    assert reminder_times(NOW + timedelta(hours=2), [1440, 60], NOW) == [(60, NOW + timedelta(hours=1))]


def test_a_session_is_booked_at_most_a_year_ahead() -> None:
    far = NOW + timedelta(days=366)

    with pytest.raises(InvalidRequest, match="at most 365 days ahead"):
        bookings_for(ask(start=far, end=far + timedelta(hours=1)), REGISTRY, [], NOW)
