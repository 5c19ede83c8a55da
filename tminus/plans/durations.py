"""Durations as plans write them: "< 4 hours", "15-30 minutes", "(2 hours)", "1.5 hours", "1 week".

Pure Python with no Django import.
"""

import re

UNIT_MINUTES = {"minute": 1, "min": 1, "m": 1, "hour": 60, "hr": 60, "h": 60, "day": 1440,
                "d": 1440, "week": 10080, "w": 10080}
_AMOUNT = r"(\d{1,4}(?:\.\d+)?)"
_UNIT = r"(minutes?|mins?|hours?|hrs?|days?|weeks?|[mhdw])\b"
DURATION = re.compile(_AMOUNT + r"[ \t]*" + _UNIT, re.I)
RANGE = re.compile(_AMOUNT + r"[ \t]*(?:-|\u2013|to)[ \t]*" + _AMOUNT + r"[ \t]*" + _UNIT, re.I)
PLAIN = re.compile(r"^[<>\u2264~]?[ \t]*" + _AMOUNT + r"[ \t]*" + _UNIT + r"\.?$", re.I)


def _unit(word: str) -> int:
    word = word.lower()
    return UNIT_MINUTES.get(word) or UNIT_MINUTES[word.rstrip("s")]


def minutes_in(text: str) -> int | None:
    """The minutes of the last duration a text names ('Immediate (critical), < 1 week' is a
    week), or None when it names none."""
    found = DURATION.findall(text or "")
    if not found:
        return None
    amount, unit = found[-1]
    return round(float(amount) * _unit(unit)) or None


def minutes_range(text: str) -> tuple[int | None, int | None]:
    """'15-30 minutes' as (15, 30); '2 hours' as (120, 120); (None, None) when there is none."""
    match = RANGE.search(text or "")
    if match:
        unit = _unit(match.group(3))
        return round(float(match.group(1)) * unit), round(float(match.group(2)) * unit)
    minutes = minutes_in(text)
    return minutes, minutes


def is_plain(text: str) -> bool:
    """Whether a text is only a duration ('< 4 hours'), with nothing else worth keeping."""
    return bool(PLAIN.match((text or "").strip()))


def minutes_text(minutes: int | None) -> str:
    """Minutes in the largest whole unit: '1 week', '48 hours', '90 minutes'."""
    if not minutes:
        return ""
    for name, size in (("week", 10080), ("day", 1440), ("hour", 60)):
        if minutes % size == 0:
            count = minutes // size
            return f"{count} {name}{'s' if count != 1 else ''}"
    return f"{minutes} minutes"
