"""T-offsets: a date written relative to go-live, such as T-28d, T-0, T+14d or T-5wd.

`T-5wd` counts five working days back from go-live: weekends and holidays of the product's
calendar are stepped over. A working-day offset is kept in the same integer column as a
calendar-day one, as WORKING_DAYS_BASE + n (with the sign of n), so every place that stores an
offset holds either kind and moves with go-live the same way; `date_at` tells them apart.
"""

import re
from datetime import date, timedelta

_OFFSET = re.compile(r"^\s*T\s*(?:([+-])\s*(\d{1,4})\s*(wd|[dw])?)?\s*$", re.IGNORECASE)
MAX_DAYS = 3660
WORKING_DAYS_BASE = 100_000
# Saturday and Sunday off, no holidays: the calendar of a product that has not set its own.
STANDARD_WORKING_WEEKDAYS = frozenset(range(5))


def parse_offset(text: str) -> int:
    """Days from go-live for 'T-28d', 'T+2w', 'T-5wd', 'T-0' or 'T'; ValueError otherwise."""
    match = _OFFSET.match(text or "")
    if not match:
        raise ValueError(f"{text!r} is not a T-offset; write it like T-28d, T-5wd, T-0 or "
                         f"T+14d.")
    sign, amount, unit = match.groups()
    if sign is None:
        return 0
    unit = (unit or "d").lower()
    days = int(amount) * (7 if unit == "w" else 1)
    if days > MAX_DAYS:
        raise ValueError(f"{text!r} is more than ten years from go-live.")
    if unit == "wd" and days:
        days += WORKING_DAYS_BASE
    return -days if sign == "-" else days


def is_working_days(offset: int | None) -> bool:
    return offset is not None and abs(offset) > WORKING_DAYS_BASE


def working_days_offset(days: int) -> int:
    """The stored form of an offset of `days` working days."""
    if not days:
        return 0
    return days + WORKING_DAYS_BASE if days > 0 else days - WORKING_DAYS_BASE


def format_offset(days: int | None) -> str:
    """The T-notation for an offset from go-live."""
    if days is None:
        return ""
    if days == 0:
        return "T-0"
    sign = "+" if days > 0 else "-"
    if is_working_days(days):
        return f"T{sign}{abs(days) - WORKING_DAYS_BASE}wd"
    return f"T{sign}{abs(days)}d"


def date_at(go_live: date | None, days: int | None, calendar=None) -> date | None:
    """The date an offset lands on, or None when either is unknown.

    A working-day offset steps over the days `calendar` (anything with `is_working(day)`) says
    are not worked; without one, over weekends.
    """
    if go_live is None or days is None:
        return None
    if not is_working_days(days):
        return go_live + timedelta(days=days)
    is_working = calendar.is_working if calendar is not None else _standard_working_day
    step = timedelta(days=1 if days > 0 else -1)
    day, left = go_live, abs(days) - WORKING_DAYS_BASE
    for _ in range(MAX_DAYS * 2):
        if not left:
            break
        day += step
        left -= is_working(day)
    return day


def _standard_working_day(day: date) -> bool:
    return day.weekday() in STANDARD_WORKING_WEEKDAYS
