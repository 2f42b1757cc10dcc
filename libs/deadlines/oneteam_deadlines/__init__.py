"""Deadlines every service shares: durable timers that fire once (`oneteam_deadlines.scheduler`,
SQL) and working-day calendars (`oneteam_deadlines.calendar`, pure).

The package root loads only the calendar, so a service's domain can use it without pulling
SQLAlchemy in; the scheduler is imported from its own module.
"""

from oneteam_deadlines.calendar import CalendarError, WorkingCalendar

__all__ = ["CalendarError", "WorkingCalendar"]
