"""Freeze window arithmetic: parsing recurrence rules and finding the occurrences in a period.

Recurring windows repeat in local wall-clock time (TMINUS_TIME_ZONE): "every Friday 12:00 to
Monday 06:00" stays 12:00 to 06:00 across daylight-saving changes.
"""

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from dateutil.rrule import rrule, rrulestr
from django.utils import timezone

EXAMPLE = "write it like FREQ=WEEKLY;BYDAY=FR (an RFC 5545 RRULE)"
_FREQUENCIES = {"DAILY", "WEEKLY", "MONTHLY", "YEARLY"}
_PART = re.compile(r"^[A-Z]+=[^=;]+$")


@dataclass(frozen=True)
class FreezeOccurrence:
    """One stretch of a freeze window: a one-off window, or one repetition of a recurring one."""

    window: object
    start: datetime
    end: datetime

    def __str__(self) -> str:
        return f"{self.window.name} ({_local_text(self.start)} to {_local_text(self.end)})"


def _local_text(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%a %Y-%m-%d %H:%M")


def _local_naive(moment: datetime) -> datetime:
    return timezone.localtime(moment).replace(tzinfo=None)


def _aware(naive: datetime) -> datetime:
    return timezone.make_aware(naive, timezone.get_current_timezone())


def parse_rule(text: str, first_start: datetime) -> rrule:
    """The rule that repeats a window from its first start; ValueError saying why otherwise."""
    cleaned = (text or "").strip()
    if cleaned.upper().startswith("RRULE:"):
        cleaned = cleaned[len("RRULE:"):]
    parts = [part for part in cleaned.upper().split(";") if part]
    if not parts or not all(_PART.match(part) for part in parts):
        raise ValueError(f"{text!r} is not a recurrence rule; {EXAMPLE}.")
    values = dict(part.split("=", 1) for part in parts)
    if "DTSTART" in values:
        raise ValueError("Leave DTSTART out of the rule: the window's first start is where it "
                         "begins.")
    if values.get("FREQ") not in _FREQUENCIES:
        raise ValueError(f"{text!r}: a freeze window repeats DAILY, WEEKLY, MONTHLY or YEARLY; "
                         f"{EXAMPLE}.")
    if "INTERVAL" in values and not (values["INTERVAL"].isdigit() and int(values["INTERVAL"])):
        raise ValueError(f"{text!r}: INTERVAL must be a whole number of at least 1.")
    try:
        rule = rrulestr(cleaned, dtstart=_local_naive(first_start))
    except (ValueError, TypeError) as error:
        raise ValueError(f"{text!r} does not parse ({error}); {EXAMPLE}.") from None
    if rule.after(_local_naive(first_start), inc=True) is None:
        raise ValueError(f"{text!r} never happens on or after the window's first start.")
    return rule


def occurrences(window, start: datetime, end: datetime) -> list[FreezeOccurrence]:
    """The stretches of a window that overlap [start, end)."""
    if not window.rrule:
        if window.starts_at < end and window.ends_at > start:
            return [FreezeOccurrence(window, window.starts_at, window.ends_at)]
        return []
    first_start = _local_naive(window.starts_at)
    length = _local_naive(window.ends_at) - first_start
    rule = parse_rule(window.rrule, window.starts_at)
    found = []
    for begin in rule.between(_local_naive(start) - length, _local_naive(end), inc=True):
        occurrence = FreezeOccurrence(window, _aware(begin), _aware(begin + length))
        if occurrence.start < end and occurrence.end > start:
            found.append(occurrence)
    return found


def day_bounds(day) -> tuple[datetime, datetime]:
    """A calendar day in local time, as [midnight, next midnight)."""
    start = _aware(datetime.combine(day, time.min))
    return start, _aware(datetime.combine(day + timedelta(days=1), time.min))
