"""A fix from the position topic moves an officer on the screen unless the board already has a newer one."""

from datetime import UTC, datetime, timedelta

from oneteam_console.domain.delta import delta
from oneteam_console.domain.picture import Picture
from oneteam_console.domain.positions import Fix, with_positions

NOW = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)


def picture(position_at: datetime | None) -> Picture:
    officer = {"id": "o1", "lon": 120.10, "lat": 30.20, "status": "available", "stale": True,
               "position_at": position_at.isoformat() if position_at else None}
    return Picture(at=NOW, incidents={}, officers={"o1": officer}, queue=[], clocks=[], alerts=[])


def test_a_newer_fix_moves_the_officer_and_is_the_only_change_pushed() -> None:
    before = picture(NOW - timedelta(seconds=30))

    after = with_positions(before, {"o1": Fix(120.12, 30.21, NOW)})

    assert (after.officers["o1"]["lon"], after.officers["o1"]["stale"]) == (120.12, False)
    batch = delta(before, after)
    assert batch is not None and [o["id"] for o in batch["officers"]["upsert"]] == ["o1"]


def test_an_older_fix_never_moves_an_officer_back() -> None:
    board = picture(NOW)

    assert with_positions(board, {"o1": Fix(120.12, 30.21, NOW - timedelta(seconds=5))}) is board


def test_a_fix_for_an_officer_not_on_the_board_is_ignored() -> None:
    board = picture(NOW)

    assert with_positions(board, {"ghost": Fix(120.12, 30.21, NOW)}).officers.keys() == {"o1"}
