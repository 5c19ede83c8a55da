"""Dates a person may give either as a calendar date or as an offset from go-live."""

from datetime import date

from tminus.core.errors import ValidationFailed
from tminus.core.offsets import format_offset, parse_offset


def parse_when(text: str | None) -> tuple[date | None, int | None]:
    """'2026-03-01' is a date set by hand; 'T-7d' is an offset that follows go-live."""
    text = (text or "").strip()
    if not text:
        return None, None
    if text[:1] in "tT":
        return None, parse_offset(text)
    try:
        return date.fromisoformat(text), None
    except ValueError:
        raise ValueError(f"{text!r} is neither a date (YYYY-MM-DD) nor a T-offset "
                         "(T-7d, T+2w).") from None


def when_input(text: str | None, field: str) -> tuple[date | None, int | None]:
    """parse_when for API input: a bad value is a validation error on that field."""
    try:
        return parse_when(text)
    except ValueError as error:
        raise ValidationFailed({field: str(error)}) from None


def when_text(day: date | None, offset: int | None) -> str:
    """How a date-or-offset is shown in a form: the offset when it follows go-live."""
    return format_offset(offset) if offset is not None else (day.isoformat() if day else "")
