"""A period label's bounds hold exactly the moments `bucket` gives that label."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from oneteam_evaluation.domain.figures import Period, bucket, bucket_bounds

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_a_day_label_is_its_local_day() -> None:
    assert bucket_bounds("2026-11-25", Period.DAY, SHANGHAI) == (
        datetime(2026, 11, 24, 16, tzinfo=UTC), datetime(2026, 11, 25, 16, tzinfo=UTC))
    assert bucket_bounds("2026-12", Period.MONTH, SHANGHAI) == (
        datetime(2026, 11, 30, 16, tzinfo=UTC), datetime(2026, 12, 31, 16, tzinfo=UTC))
    assert bucket_bounds("2026-W53", Period.WEEK, SHANGHAI) == (
        datetime(2026, 12, 27, 16, tzinfo=UTC), datetime(2027, 1, 3, 16, tzinfo=UTC))
    assert bucket_bounds("all", Period.ALL, SHANGHAI) is None


@pytest.mark.parametrize("zone", [SHANGHAI, ZoneInfo("Europe/Berlin")])  # Berlin: across DST changes
@given(minutes=st.integers(0, 3 * 366 * 24 * 60))
def test_every_moment_lies_within_its_labels_bounds(zone: ZoneInfo, minutes: int) -> None:
    at = datetime(2025, 1, 1, tzinfo=UTC) + timedelta(minutes=minutes)
    for period in (Period.HOUR, Period.DAY, Period.WEEK, Period.MONTH):
        bounds = bucket_bounds(bucket(at, period, zone), period, zone)
        assert bounds is not None
        assert bounds[0] <= at < bounds[1], period
        assert bucket(bounds[0], period, zone) == bucket(at, period, zone)
        assert bucket(bounds[1], period, zone) != bucket(at, period, zone)
