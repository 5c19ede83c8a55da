"""Support targets written the way people say them: 30m, 4h, 1d 12h, 1w."""

import re

_UNITS = {"w": 7 * 24 * 60, "d": 24 * 60, "h": 60, "m": 1}
_ALIASES = {"week": "w", "weeks": "w", "day": "d", "days": "d", "hour": "h", "hours": "h",
            "hr": "h", "hrs": "h", "min": "m", "mins": "m", "minute": "m", "minutes": "m"}
_PART = re.compile(r"(\d{1,5})\s*([a-z]+)")
MAX_MINUTES = 366 * 24 * 60


def parse_duration(text: str) -> int:
    """Minutes in '30m', '4h', '1d 12h' or '2 hours'; ValueError with a reason otherwise."""
    cleaned = (text or "").strip().lower().lstrip("<").strip()
    example = "write it like 30m, 4h, 1d 12h or 1w"
    if not cleaned:
        raise ValueError(f"A duration is required; {example}.")
    parts = _PART.findall(cleaned)
    if not parts or _PART.sub("", cleaned).replace(",", "").strip():
        raise ValueError(f"{text!r} is not a duration; {example}.")
    minutes = 0
    for amount, unit in parts:
        unit = _ALIASES.get(unit, unit)
        if unit not in _UNITS:
            raise ValueError(f"{text!r} has an unknown unit {unit!r}; {example}.")
        minutes += int(amount) * _UNITS[unit]
    if minutes <= 0:
        raise ValueError(f"{text!r} is no time at all; a target must be longer than zero.")
    if minutes > MAX_MINUTES:
        raise ValueError(f"{text!r} is longer than a year.")
    return minutes


def format_duration(minutes: int | None) -> str:
    """'4h', '1d 12h', '90m' → the shortest exact spelling of a number of minutes."""
    if minutes is None:
        return ""
    parts = []
    for unit in ("w", "d", "h", "m"):
        size = _UNITS[unit]
        if minutes >= size:
            parts.append(f"{minutes // size}{unit}")
            minutes %= size
    return " ".join(parts) or "0m"
