"""Officers built from stored rows are the officers the constructor builds from the same values; an
assignment's saved state is all of it."""

from __future__ import annotations

import dataclasses
from collections import namedtuple
from datetime import UTC, datetime, time

import pytest

from oneteam_contracts import GeoPoint
from oneteam_dispatch.domain.officers import Officer, OfficerStatus, Shift, TravelMode
from oneteam_dispatch.store.assignments import assignment_update
from oneteam_dispatch.store.officers import _officer

from .test_assignments import an_order

Row = namedtuple("Row", ["id", "tenant", "name", "team", "skills", "status", "lon", "lat", "last_assigned_at",
                         "department", "district", "mode", "shifts", "position_at", "active_orders"])
AT = datetime(2026, 11, 26, 3, 0, tzinfo=UTC)


@pytest.mark.parametrize(("lon", "shifts", "orders"), [(120.12, ["08:00-20:00", "22:00-02:00"], 2), (None, [], None)])
def test_an_officer_read_from_a_row_equals_the_one_the_constructor_builds(
    lon: float | None, shifts: list[str], orders: int | None,
) -> None:
    row = Row("cy-001", "330106004", "队员 甲", "D01 team", ["noise", "street_order"], "on_scene", lon,
              30.29 if lon else None, AT, "market_regulation", "D01", "car", shifts, AT, orders)
    expected = Officer(
        id="cy-001", tenant="330106004", name="队员 甲", team="D01 team", status=OfficerStatus.ON_SCENE,
        position=GeoPoint(lon=120.12, lat=30.29) if lon else None, last_assigned_at=AT,
        department="market_regulation", district="D01", skills=frozenset({"noise", "street_order"}),
        mode=TravelMode.CAR, shifts=(Shift(time(8), time(20)), Shift(time(22), time(2))) if shifts else (),
        position_at=AT, active_orders=orders or 0)

    built = _officer(row)

    assert built == expected and hash(built) == hash(expected) and repr(built) == repr(expected)
    assert dataclasses.asdict(built) == dataclasses.asdict(expected)
    with pytest.raises(dataclasses.FrozenInstanceError):
        built.status = OfficerStatus.AVAILABLE  # type: ignore[misc]
    assert _officer(row, 5).active_orders == 5


def test_an_assignments_saved_state_is_every_value_the_store_writes_and_nothing_else() -> None:
    # The update is built once with a parameter per column: a value added to the store's row
    # but not to the statement would be dropped without a word.
    statement, values = assignment_update(an_order(), AT)
    assert set(statement.compile().params) == set(values)
