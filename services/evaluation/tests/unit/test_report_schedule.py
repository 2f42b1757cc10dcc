"""The daily report's schedule: yesterday's report from the tenant's hour on, else the day before's."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from oneteam_evaluation.domain.report import day_due

HANGZHOU = ZoneInfo("Asia/Shanghai")


def test_from_the_hour_on_yesterdays_report_is_due() -> None:
    assert day_due(datetime(2026, 11, 3, 7, 0, tzinfo=HANGZHOU), HANGZHOU, 7) == date(2026, 11, 2)


def test_before_the_hour_the_day_before_yesterday_is_still_the_one_due() -> None:
    assert day_due(datetime(2026, 11, 3, 6, 59, tzinfo=HANGZHOU), HANGZHOU, 7) == date(2026, 11, 1)


def test_the_hour_is_the_tenants_local_hour_not_utc() -> None:
    # 23:30 UTC on the 2nd is 07:30 on the 3rd in Hangzhou.
    assert day_due(datetime(2026, 11, 2, 23, 30, tzinfo=UTC), HANGZHOU, 7) == date(2026, 11, 2)
