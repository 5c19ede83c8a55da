"""A product's working calendar: its working week and holidays.

Working-day offsets (`T-5wd`) step over the days it says are not worked, and the release page
flags a date that lands on one.
"""

from dataclasses import dataclass, field
from datetime import date

from tminus.core.offsets import STANDARD_WORKING_WEEKDAYS

WEEKDAY_NAMES = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


@dataclass(frozen=True)
class WorkCalendar:
    working_weekdays: frozenset = STANDARD_WORKING_WEEKDAYS  # 0 = Monday
    holidays: dict = field(default_factory=dict)  # date -> name

    def is_working(self, day: date) -> bool:
        return day.weekday() in self.working_weekdays and day not in self.holidays

    def why_not_working(self, day: date | None) -> str:
        """'' for a working day (or no day), else why not: 'Saturday', 'holiday: Boxing Day'."""
        if day is None or self.is_working(day):
            return ""
        if day in self.holidays:
            return f"holiday: {self.holidays[day]}" if self.holidays[day] else "holiday"
        return WEEKDAY_NAMES[day.weekday()]


def weekdays_from_text(days: str) -> frozenset:
    """ISO weekday digits ("12345") as Python weekday numbers."""
    return frozenset(int(d) - 1 for d in days if d.isdigit() and 1 <= int(d) <= 7)


def calendar_for(product) -> WorkCalendar:
    """The calendar of a product (or product id); two queries."""
    from tminus.releases.models import Holiday, WorkingWeek

    week = WorkingWeek.objects.filter(product=product).first()
    weekdays = weekdays_from_text(week.days) if week else STANDARD_WORKING_WEEKDAYS
    holidays = dict(Holiday.objects.filter(product=product).values_list("date", "name"))
    return WorkCalendar(working_weekdays=weekdays, holidays=holidays)
