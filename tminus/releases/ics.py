"""Holidays from an ICS calendar (a company's holiday calendar, a public holidays feed)."""

from datetime import date, datetime, timedelta

import icalendar

MAX_DAYS_PER_EVENT = 31
MAX_BYTES = 2 * 1024 * 1024


def ics_days(data: bytes) -> dict[date, str]:
    """{day: event summary} for each day an event covers; ValueError for what is no calendar."""
    if len(data) > MAX_BYTES:
        raise ValueError("The calendar is larger than 2 MB.")
    try:
        calendar = icalendar.Calendar.from_ical(data)
    except (ValueError, IndexError, KeyError) as error:
        raise ValueError(f"This is not an ICS calendar ({error}).") from None
    days: dict[date, str] = {}
    for event in calendar.walk("VEVENT"):
        start = _day(event.get("dtstart"))
        if start is None:
            continue
        end = _day(event.get("dtend")) or start + timedelta(days=1)
        summary = str(event.get("summary") or "")
        for n in range(min(max((end - start).days, 1), MAX_DAYS_PER_EVENT)):
            days.setdefault(start + timedelta(days=n), summary)
    if not days:
        raise ValueError("The calendar holds no events with a date.")
    return days


def _day(prop) -> date | None:
    if prop is None:
        return None
    value = prop.dt
    return value.date() if isinstance(value, datetime) else value
