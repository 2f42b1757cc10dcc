"""Coalescing the position posts of one group commit (newest wins, resends are dropped) and pacing their events."""

from __future__ import annotations

from datetime import timedelta, timezone

from oneteam_contracts import PositionSource
from oneteam_dispatch.domain.positions import Fix, Pace, Published, plan_flush

from .factories import NOW, east


def at(seconds_ago: float, metres: float = 0.0, source: PositionSource = PositionSource.TERMINAL) -> Fix:
    return Fix(east(metres), NOW - timedelta(seconds=seconds_ago), source)


def test_posts_arriving_out_of_order_move_the_officer_to_the_newest_fix() -> None:
    flush = plan_flush([("a", [at(5, 10)]), ("a", [at(1, 30)]), ("a", [at(3, 20)])], {"a": None})

    assert flush.latest["a"].position == east(30)
    assert [[f.position for f in fixes] for fixes in flush.track] == [[east(10)], [east(30)], [east(20)]]


def test_fixes_older_than_the_stored_position_reach_the_track_only() -> None:
    flush = plan_flush([("a", [at(60, 10)]), ("b", [at(60, 10)])], {"a": NOW - timedelta(seconds=30), "b": None})

    assert "a" not in flush.latest and flush.latest["b"].position == east(10)
    assert [len(fixes) for fixes in flush.track] == [1, 1]


def test_a_fix_sent_twice_in_one_flush_is_kept_once_whatever_its_time_zone() -> None:
    same = at(2, 10)
    again = Fix(same.position, same.recorded_at.astimezone(timezone(timedelta(hours=8))), same.source)

    flush = plan_flush([("a", [same]), ("a", [again, at(1, 20)])], {})

    assert [len(fixes) for fixes in flush.track] == [1, 1]
    assert flush.latest["a"].position == east(20)


def test_the_same_moment_from_the_body_camera_is_another_fix() -> None:
    flush = plan_flush([("a", [at(2), at(2, source=PositionSource.BODY_CAMERA)])], {})

    assert len(flush.track[0]) == 2


def test_each_officer_is_coalesced_apart() -> None:
    flush = plan_flush([("a", [at(1, 10)]), ("b", [at(9, 90)]), ("a", [at(4, 40)])], {})

    assert flush.latest["a"].position == east(10) and flush.latest["b"].position == east(90)


PACE = Pace(every_s=15, moved_m=50)


def test_an_officers_first_fix_is_published_at_once() -> None:
    assert PACE.due(at(0, 10), None, now_s=100)


def test_a_fix_near_the_last_published_waits_until_the_interval_is_up() -> None:
    last = Published(east(0), at_s=100)

    assert not PACE.due(at(0, 49), last, now_s=114.9)
    assert PACE.due(at(0, 49), last, now_s=115)
    assert PACE.next_turn(last) == 115


def test_an_officer_who_moved_far_enough_is_published_at_once() -> None:
    assert PACE.due(at(0, 50.5), Published(east(0), at_s=100), now_s=100.1)


def test_no_interval_publishes_every_newest_fix() -> None:
    assert Pace(every_s=0, moved_m=0).due(at(0), Published(east(0), at_s=100), now_s=100)
