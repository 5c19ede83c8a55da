"""Check-in schedules after go-live: "daily in week 1, weekly in month 1" (seed 003).

A schedule is a list of (kind, count) runs; each run gives numbered slots such as Day 1 … Day 7
and Week 1 … Week 4, each due a number of days or months after go-live. Pure Python.
"""

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from dateutil.relativedelta import relativedelta

KINDS = ("daily", "weekly", "monthly")
_LABELS = {"daily": "Day", "weekly": "Week", "monthly": "Month"}
_KEYS = {"daily": "day", "weekly": "week", "monthly": "month"}
_DAYS_IN = {"day": 1, "week": 7, "month": 30, "year": 365}
MAX_SLOTS = 400

_SHORT = re.compile(r"^(daily|weekly|monthly)\s*[:x]\s*(\d+)$")
_FOR = re.compile(r"^(daily|weekly|monthly)\s+for\s+(?:the\s+first\s+)?(\d+)\s+"
                  r"(day|week|month|year)s?$")
_IN = re.compile(r"^(daily|weekly|monthly)\s+(?:in|through|until)\s+(?:the\s+)?"
                 r"(?:(first)\s+(day|week|month|year)|(day|week|month|year)\s+(\d+))$")
HELP = ("Write a schedule like 'daily:7, weekly:4', 'daily in week 1, weekly in month 1' or "
        "'weekly for 8 weeks'; 'none' for no scheduled check-ins.")


@dataclass(frozen=True)
class Slot:
    """One scheduled check-in: Day 3 is due three days after go-live."""

    kind: str
    number: int

    @property
    def key(self) -> str:
        return f"{_KEYS[self.kind]}-{self.number}"

    @property
    def label(self) -> str:
        return f"{_LABELS[self.kind]} {self.number}"

    def due_on(self, go_live: date) -> date:
        if self.kind == "daily":
            return go_live + timedelta(days=self.number)
        if self.kind == "weekly":
            return go_live + timedelta(weeks=self.number)
        return go_live + relativedelta(months=self.number)

    def due_at(self, go_live: date, tz) -> datetime:
        """The start of the day the slot is due: Day 1 is taken once the first day is over."""
        return datetime.combine(self.due_on(go_live), time.min, tzinfo=tz)


def parse_schedule(text: str) -> list[tuple[str, int]]:
    """Runs of a schedule; ValueError with the accepted forms when a part does not parse."""
    runs: list[tuple[str, int]] = []
    cleaned = (text or "").strip().lower()
    if cleaned in ("none", "no", "manual"):
        return runs
    for part in re.split(r"\s*(?:,|;|\band\b|\bthen\b)\s*", cleaned):
        if not part:
            continue
        kind, count = _run(part)
        if count < 1:
            raise ValueError(f"{part!r} schedules no check-ins. {HELP}")
        runs.append((kind, count))
    if not runs:
        raise ValueError(f"The schedule is empty. {HELP}")
    if sum(count for _, count in runs) > MAX_SLOTS:
        raise ValueError(f"A schedule may have at most {MAX_SLOTS} check-ins.")
    return runs


def _run(part: str) -> tuple[str, int]:
    if match := _SHORT.match(part):
        return match.group(1), int(match.group(2))
    if match := _FOR.match(part):
        kind, amount, span = match.groups()
        return kind, _fit(kind, int(amount) * _DAYS_IN[span])
    if match := _IN.match(part):
        kind, first, first_span, span, number = match.groups()
        days = _DAYS_IN[first_span] if first else int(number) * _DAYS_IN[span]
        return kind, _fit(kind, days)
    raise ValueError(f"{part!r} is not a check-in schedule. {HELP}")


def _fit(kind: str, days: int) -> int:
    """How many check-ins of a kind fit in a number of days (weekly in month 1: 4)."""
    return {"daily": days, "weekly": days // 7, "monthly": max(days // 30, 1)}[kind]


def schedule_slots(runs: list[tuple[str, int]]) -> list[Slot]:
    """Every slot of a schedule, in order; a slot named twice is kept once."""
    slots, seen = [], set()
    for kind, count in runs:
        for number in range(1, count + 1):
            slot = Slot(kind, number)
            if slot.key not in seen:
                seen.add(slot.key)
                slots.append(slot)
    return slots


def slot_from_key(key: str) -> Slot | None:
    """The slot named by a key such as 'day-3', or None."""
    match = re.fullmatch(r"(day|week|month)-(\d{1,3})", key or "")
    if not match:
        return None
    kind = {value: name for name, value in _KEYS.items()}[match.group(1)]
    return Slot(kind, int(match.group(2)))
