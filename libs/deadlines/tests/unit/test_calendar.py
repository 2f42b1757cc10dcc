"""Working days across Golden Week and a swapped weekend, with a tenant's overrides."""

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from oneteam_deadlines import CalendarError, WorkingCalendar
from oneteam_deadlines.calendar import CHINA

NATIONAL = WorkingCalendar()


def test_golden_week_days_are_not_working_days_and_the_swapped_saturday_is() -> None:
    # State Council notice for 2026: 1-7 October off; Saturday 10 October worked (调休).
    assert not any(NATIONAL.is_working_day(date(2026, 10, d)) for d in range(1, 8))
    assert NATIONAL.is_working_day(date(2026, 10, 10))
    assert not NATIONAL.is_working_day(date(2026, 10, 11))


def test_five_working_days_from_the_eve_of_golden_week_end_on_the_swapped_saturday() -> None:
    # 30 Sep is a Wednesday: 8, 9, 10 (Sat, swapped), 12, 13 October.
    assert NATIONAL.add_working_days(date(2026, 9, 30), 3) == date(2026, 10, 10)
    assert NATIONAL.add_working_days(date(2026, 9, 30), 5) == date(2026, 10, 13)


def test_a_working_day_deadline_runs_to_the_end_of_that_day_in_china_time() -> None:
    start = datetime(2026, 9, 30, 2, 0, tzinfo=UTC)
    due = NATIONAL.working_days_after(start, 1)
    assert due == datetime(2026, 10, 8, 23, 59, 59, tzinfo=CHINA)


def test_a_calendar_day_period_ending_in_a_holiday_runs_to_the_next_working_day() -> None:
    start = datetime(2026, 9, 20, 4, 0, tzinfo=UTC)  # 15 days later is 5 October, in Golden Week
    assert NATIONAL.calendar_days_after(start, 15).date() == date(2026, 10, 8)


def test_tenant_overrides_add_a_local_holiday_and_a_swapped_working_day() -> None:
    local = WorkingCalendar.from_mapping({"holidays": ["2026-10-08"], "workdays": ["2026-10-11"]})
    assert not local.is_working_day(date(2026, 10, 8))
    assert local.is_working_day(date(2026, 10, 11))
    assert local.add_working_days(date(2026, 9, 30), 2) == date(2026, 10, 10)


def test_an_override_file_with_a_bad_date_names_the_entry(tmp_path: Path) -> None:
    path = tmp_path / "calendar.yaml"
    path.write_text("holidays:\n  - 2026-10-08\n  - 2026-13-01\n", encoding="utf-8")
    with pytest.raises(CalendarError, match=r"holidays\[1\]: '2026-13-01' is not a date"):
        WorkingCalendar.load(path)


def test_a_day_cannot_be_both_holiday_and_working_day() -> None:
    with pytest.raises(CalendarError, match="both"):
        WorkingCalendar.from_mapping({"holidays": ["2026-10-11"], "workdays": ["2026-10-11"]})
