"""Deadlines every service shares: durable timers that fire once, and working-day calendars."""

from oneteam_deadlines.calendar import CalendarError, WorkingCalendar
from oneteam_deadlines.scheduler import Due, FireHandler, Scheduler, cancel, deadline_metadata, pending, schedule

__all__ = [
    "CalendarError",
    "Due",
    "FireHandler",
    "Scheduler",
    "WorkingCalendar",
    "cancel",
    "deadline_metadata",
    "pending",
    "schedule",
]
