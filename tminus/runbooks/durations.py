"""Durations on deployment day."""

from datetime import datetime


def seconds_between(start: datetime | None, end: datetime | None) -> int | None:
    """Whole seconds from start to end, or None while either is unknown."""
    if start is None or end is None:
        return None
    return max(0, int((end - start).total_seconds()))


def format_duration(seconds: int | None) -> str:
    """12 minutes 5 seconds as '12m 05s'; an hour and more as '1h 02m'."""
    if seconds is None:
        return ""
    hours, rest = divmod(int(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h {minutes:02d}m"
    if minutes:
        return f"{minutes}m {secs:02d}s"
    return f"{secs}s"


def expected_text(low: int | None, high: int | None) -> str:
    """'15-30 min' from a low and a high estimate."""
    if low is None and high is None:
        return ""
    if low is None or high is None or low == high:
        return f"{low if low is not None else high} min"
    return f"{low}-{high} min"
