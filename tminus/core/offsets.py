"""T-offsets: a date written relative to go-live, such as T-28d, T-0 or T+14d."""

import re
from datetime import date, timedelta

_OFFSET = re.compile(r"^\s*T\s*(?:([+-])\s*(\d{1,4})\s*([dw]?))?\s*$", re.IGNORECASE)
MAX_DAYS = 3660


def parse_offset(text: str) -> int:
    """Days from go-live for 'T-28d', 'T+2w', 'T-0' or 'T'; ValueError with a reason otherwise."""
    match = _OFFSET.match(text or "")
    if not match:
        raise ValueError(f"{text!r} is not a T-offset; write it like T-28d, T-0 or T+14d.")
    sign, amount, unit = match.groups()
    if sign is None:
        return 0
    days = int(amount) * (7 if unit.lower() == "w" else 1)
    if days > MAX_DAYS:
        raise ValueError(f"{text!r} is more than ten years from go-live.")
    return -days if sign == "-" else days


def format_offset(days: int | None) -> str:
    """The T-notation for a number of days from go-live."""
    if days is None:
        return ""
    if days == 0:
        return "T-0"
    return f"T{'+' if days > 0 else '-'}{abs(days)}d"


def date_at(go_live: date | None, days: int | None) -> date | None:
    """The calendar date an offset lands on, or None when either is unknown."""
    if go_live is None or days is None:
        return None
    return go_live + timedelta(days=days)
