"""Release cadences as people write them, and the dates they propose. Pure Python.

"monthly on the 15th" (seed 001), "every 3 months on the 1st", "every 2 weeks",
"every 4 weeks from 2026-01-05", or a custom list of dates "2026-05-15, 2026-06-30".
"""

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

MONTHLY, WEEKLY, DATES = "monthly", "weekly", "dates"
MAX_PROPOSALS = 24
_ISO = r"\d{4}-\d{2}-\d{2}"
_WORD_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6}
_FROM = rf"(?:\s+(?:from|starting(?:\s+on)?|beginning)\s+(?P<start>{_ISO}))?"
_DAY = r"(?:\s+on\s+(?:the\s+)?(?:(?P<day>\d{1,2})(?:st|nd|rd|th)?|(?P<last>last)(?:\s+day)?))?"
_MONTHLY = re.compile(
    rf"^(?:(?P<monthly>monthly|every\s+month)|(?P<quarterly>quarterly)|"
    rf"every\s+(?P<months>\d+|{'|'.join(_WORD_NUMBERS)})\s+months?){_DAY}{_FROM}$")
_WEEKLY = re.compile(
    rf"^(?:(?P<weekly>weekly|every\s+week)|(?P<fortnightly>biweekly|fortnightly)|"
    rf"every\s+(?P<weeks>\d+|{'|'.join(_WORD_NUMBERS)})\s+weeks?){_FROM}$")
_DATES = re.compile(rf"^(?:custom\s*:?\s*)?({_ISO}(?:\s*[,;]\s*{_ISO})*)$")
HELP = ("Write a cadence like 'monthly on the 15th', 'every 3 months on the 1st', "
        "'every 2 weeks', 'every 4 weeks from 2026-01-05' or a list of dates "
        "'2026-05-15, 2026-06-30'.")


@dataclass(frozen=True)
class Cadence:
    """When a product releases."""

    kind: str
    interval: int = 1
    day: int | None = None  # day of the month; -1 is the last day
    start: date | None = None
    dates: tuple[date, ...] = ()

    def describe(self) -> str:
        """The cadence in a normal form."""
        if self.kind == DATES:
            return "on " + ", ".join(d.isoformat() for d in self.dates)
        start = f" from {self.start.isoformat()}" if self.start else ""
        if self.kind == WEEKLY:
            every = "every week" if self.interval == 1 else f"every {self.interval} weeks"
            return every + start
        every = "monthly" if self.interval == 1 else f"every {self.interval} months"
        day = "the last day" if self.day == -1 else f"the {_ordinal(self.day)}"
        return f"{every} on {day}{start}"

    def dates_after(self, after: date, count: int, *, anchor: date | None = None) -> list[date]:
        """The next `count` release dates strictly after `after`.

        Weeks are counted from the cadence's own start date, else from `anchor` (the product's
        latest release), so "every 2 weeks" keeps the rhythm the releases already have.
        """
        count = max(0, min(count, MAX_PROPOSALS))
        if self.kind == DATES:
            return [d for d in sorted(self.dates) if d > after][:count]
        if self.kind == WEEKLY:
            return self._weekly_after(after, count, self.start or anchor or after)
        return self._monthly_after(after, count)

    def _weekly_after(self, after: date, count: int, start: date) -> list[date]:
        step = timedelta(weeks=self.interval)
        if start > after:
            first = start
        else:
            periods = (after - start).days // step.days + 1
            first = start + step * periods
        return [first + step * index for index in range(count)]

    def _monthly_after(self, after: date, count: int) -> list[date]:
        month = date((self.start or after).year, (self.start or after).month, 1)
        found: list[date] = []
        while len(found) < count:
            candidate = _day_in_month(month, self.day)
            if candidate > after and (self.start is None or candidate >= self.start):
                found.append(candidate)
            month += relativedelta(months=self.interval)
        return found


def _day_in_month(month: date, day: int) -> date:
    last = calendar.monthrange(month.year, month.month)[1]
    return month.replace(day=last if day == -1 else min(day, last))


def _ordinal(day: int) -> str:
    suffix = "th" if 11 <= day % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix}"


def parse_cadence(text: str) -> Cadence:
    """Parse a cadence; ValueError with the accepted forms when it does not parse."""
    cleaned = " ".join((text or "").lower().split())
    if not cleaned:
        raise ValueError(f"The cadence is empty. {HELP}")
    for parse in (_parse_monthly, _parse_weekly, _parse_dates):
        cadence = parse(cleaned)
        if cadence is not None:
            return cadence
    raise ValueError(f"{text!r} is not a cadence. {HELP}")


def _number(word: str) -> int:
    return int(word) if word.isdigit() else _WORD_NUMBERS[word]


def _start(match: re.Match) -> date | None:
    text = match.group("start")
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a date; write it as YYYY-MM-DD.") from None


def _parse_monthly(text: str) -> Cadence | None:
    match = _MONTHLY.match(text)
    if not match:
        return None
    interval = 3 if match.group("quarterly") else 1
    if match.group("months"):
        interval = _number(match.group("months"))
    start = _start(match)
    day = -1 if match.group("last") else int(match.group("day") or 0) or None
    if day is None:
        if start is None:
            raise ValueError(f"Say which day of the month: 'monthly on the 15th'. {HELP}")
        day = start.day
    if not (day == -1 or 1 <= day <= 31):
        raise ValueError(f"There is no day {day} in a month; use 1 to 31 or 'the last day'.")
    if not 1 <= interval <= 12:
        raise ValueError("A monthly cadence repeats every 1 to 12 months.")
    return Cadence(MONTHLY, interval=interval, day=day, start=start)


def _parse_weekly(text: str) -> Cadence | None:
    match = _WEEKLY.match(text)
    if not match:
        return None
    interval = 2 if match.group("fortnightly") else 1
    if match.group("weeks"):
        interval = _number(match.group("weeks"))
    if not 1 <= interval <= 52:
        raise ValueError("A weekly cadence repeats every 1 to 52 weeks.")
    return Cadence(WEEKLY, interval=interval, start=_start(match))


def _parse_dates(text: str) -> Cadence | None:
    match = _DATES.match(text)
    if not match:
        return None
    dates = []
    for part in re.split(r"\s*[,;]\s*", match.group(1)):
        try:
            dates.append(date.fromisoformat(part))
        except ValueError:
            raise ValueError(f"{part!r} is not a date; write it as YYYY-MM-DD.") from None
    return Cadence(DATES, dates=tuple(sorted(set(dates))))
