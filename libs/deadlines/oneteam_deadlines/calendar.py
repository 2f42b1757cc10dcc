"""A tenant's working-day calendar (工作日): China's public holidays and swapped working
weekends (调休) from the `chinese-calendar` package, with the tenant's own overrides as data.

The State Council publishes each year's holiday notice late in the year before; until the
package has that year, a tenant (or operator) adds the notice's days to its overrides file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import chinese_calendar
import yaml

CHINA = ZoneInfo("Asia/Shanghai")


class CalendarError(ValueError):
    """A calendar overrides file that cannot be used; the message names the bad line."""


@dataclass(frozen=True)
class WorkingCalendar:
    """Which days are working days for one tenant."""

    holidays: frozenset[date] = field(default_factory=frozenset)  # extra days off (e.g. a local holiday)
    workdays: frozenset[date] = field(default_factory=frozenset)  # extra working days (调休 not yet in the package)

    def is_working_day(self, day: date) -> bool:
        """Whether `day` is a working day: the tenant's overrides first, then the national calendar."""
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        try:
            return bool(chinese_calendar.is_workday(day))
        except NotImplementedError:
            # A year the package does not know yet: Monday to Friday until overrides say otherwise.
            return day.weekday() < 5

    def add_working_days(self, start: date, days: int) -> date:
        """The `days`-th working day after `start` (the start day itself is not counted)."""
        if days < 0:
            raise ValueError("days must be >= 0")
        day, counted = start, 0
        while counted < days:
            day += timedelta(days=1)
            if self.is_working_day(day):
                counted += 1
        return day

    def next_working_day(self, day: date) -> date:
        """`day` if it is a working day, else the first working day after it."""
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day

    def working_days_after(self, start: datetime, days: int) -> datetime:
        """End (23:59:59 China time) of the `days`-th working day after the local date of `start`."""
        return end_of_day(self.add_working_days(start.astimezone(CHINA).date(), days))

    def calendar_days_after(self, start: datetime, days: int) -> datetime:
        """End of the `days`-th day after `start`; a period ending on a day off runs to the next working day.

        The start day is not counted and a last day that falls on a holiday moves to the first
        working day after it, as China's procedure laws count periods.
        """
        last = start.astimezone(CHINA).date() + timedelta(days=days)
        return end_of_day(self.next_working_day(last))

    @classmethod
    def from_mapping(cls, data: Any, source: str = "calendar") -> WorkingCalendar:
        """Build from ``{"holidays": [dates], "workdays": [dates]}``; errors name the entry."""
        if data is None:
            return cls()
        if not isinstance(data, dict) or set(data) - {"holidays", "workdays"}:
            raise CalendarError(f"{source}: expected a mapping with only 'holidays' and 'workdays' lists")
        parsed: dict[str, frozenset[date]] = {}
        for key in ("holidays", "workdays"):
            values = data.get(key) or []
            if not isinstance(values, list):
                raise CalendarError(f"{source}: {key} must be a list of dates (YYYY-MM-DD)")
            parsed[key] = frozenset(_date(value, f"{source}: {key}[{i}]") for i, value in enumerate(values))
        clash = parsed["holidays"] & parsed["workdays"]
        if clash:
            raise CalendarError(f"{source}: {min(clash)} is listed both as a holiday and as a working day")
        return cls(holidays=parsed["holidays"], workdays=parsed["workdays"])

    @classmethod
    def load_optional(cls, path: Path) -> WorkingCalendar:
        """A tenant's overrides file if it exists, else the national calendar alone."""
        return cls.load(path) if path.exists() else cls()

    @classmethod
    def load(cls, path: Path) -> WorkingCalendar:
        """Read a YAML overrides file."""
        try:
            # BaseLoader keeps dates as text, so a bad one is reported here by its entry.
            data = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            line = f" line {mark.line + 1}" if mark is not None else ""
            raise CalendarError(f"{path}{line}: not valid YAML ({error})") from None
        return cls.from_mapping(data, str(path))


def end_of_day(day: date) -> datetime:
    """The last second of `day` in China time (deadlines run to the end of their day)."""
    return datetime.combine(day, time(23, 59, 59), tzinfo=CHINA)


def _date(value: Any, where: str) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise CalendarError(f"{where}: {value!r} is not a date (YYYY-MM-DD)") from None
