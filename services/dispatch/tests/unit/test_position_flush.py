"""Coalescing the position posts of one group commit: newest wins, resends are dropped."""

from __future__ import annotations

from datetime import timedelta, timezone

from oneteam_contracts import PositionSource
from oneteam_dispatch.domain.positions import Fix, plan_flush

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
