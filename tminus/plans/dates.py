"""Reading the dates people write in plans: "Jan 12-Feb 28" (with a hyphen or an en dash),
"March 12th - 14th", "MArch 28",
"10/31/2024 - 11/4/2024", "2024-12-05", "January 15, 2026", or "T-28d" relative to go-live.

Pure Python with no Django import. A date without a year takes the year that puts it closest to a
reference date (the document's release date, or today), so a plan that crosses New Year reads right.
"""

import re
from dataclasses import dataclass
from datetime import date, timedelta

from tminus.core.offsets import format_offset, parse_offset

MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august",
          "september", "october", "november", "december"]
SHORT_MONTHS = [name[:3].title() for name in MONTHS]

_ORDINAL = r"(?:st|nd|rd|th)?"
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_NUMERIC = re.compile(r"^(\d{1,2})/(\d{1,2})(?:/(\d{4}|\d{2}))?$")
_MONTH_DAY = re.compile(
    r"^(?P<month>[A-Za-z]{3,9})\.?[ \t]*(?P<day>\d{1,2})" + _ORDINAL
    + r"(?:,?[ \t]*(?P<year>\d{4}))?$"
)
_DAY_MONTH = re.compile(
    r"^(?P<day>\d{1,2})" + _ORDINAL + r"[ \t]+(?:of[ \t]+)?(?P<month>[A-Za-z]{3,9})\.?"
    + r"(?:,?[ \t]+(?P<year>\d{4}))?$"
)
_BARE_DAY = re.compile(r"^(\d{1,2})" + _ORDINAL + "$")
_SEPARATOR = re.compile(r"[ \t]*(?:\u2013|\u2014|-|\bto\b|\bthrough\b|\buntil\b|\.\.)[ \t]*",
                        re.IGNORECASE)
_OFFSET = re.compile(r"^T[ \t]*(?:[+-][ \t]*\d{1,4}[ \t]*[dwDW]?)?$")
_MONTH_WORD = re.compile(r"\b([A-Za-z]{3,9})\.?[ \t]*\d", re.IGNORECASE)
_DATEISH = re.compile(r"\d{4}-\d{1,2}-\d{1,2}|\b\d{1,2}/\d{1,2}\b|\bT[+-]\d")


@dataclass(frozen=True)
class When:
    """A day as written: a calendar date, an offset from go-live, or both unknown."""

    day: date | None = None
    offset: int | None = None
    year_given: bool = True

    def as_text(self) -> str:
        if self.offset is not None:
            return format_offset(self.offset)
        return self.day.isoformat() if self.day else ""


@dataclass(frozen=True)
class Span:
    start: When
    end: When


def month_number(word: str) -> int | None:
    """1-12 for a month name or its abbreviation in any letter case ("MArch", "Sept")."""
    word = word.lower().rstrip(".")
    if len(word) < 3:
        return None
    for number, name in enumerate(MONTHS, start=1):
        if name.startswith(word) or (word == "sept" and number == 9):
            return number
    return None


def infer_year(month: int, day: int, reference: date) -> date | None:
    """The date in the year (around the reference's) that lies closest to the reference."""
    candidates = []
    for year in (reference.year - 1, reference.year, reference.year + 1):
        try:
            candidates.append(date(year, month, day))
        except ValueError:
            continue
    if not candidates:
        return None
    return min(candidates, key=lambda d: (abs((d - reference).days), -d.toordinal()))


def _clean(text: str) -> str:
    return text.strip().strip("()").strip().rstrip(":.,;").strip()


def parse_when(text: str, reference: date) -> When | None:
    """One date or T-offset, or None when the whole text is not one."""
    text = _clean(text)
    if _OFFSET.match(text):
        try:
            return When(offset=parse_offset(text))
        except ValueError:
            return None
    if match := _ISO.match(text):
        return _make(int(match[1]), int(match[2]), int(match[3]))
    if match := _NUMERIC.match(text):
        first, second, year = int(match[1]), int(match[2]), match[3]
        month, day = (second, first) if first > 12 else (first, second)
        if year is None:
            return _without_year(month, day, reference)
        full_year = int(year) + (2000 if len(year) == 2 else 0)
        return _make(full_year, month, day)
    match = _MONTH_DAY.match(text) or _DAY_MONTH.match(text)
    if match and (month := month_number(match["month"])):
        if match["year"]:
            return _make(int(match["year"]), month, int(match["day"]))
        return _without_year(month, int(match["day"]), reference)
    return None


def _make(year: int, month: int, day: int) -> When | None:
    try:
        return When(day=date(year, month, day))
    except ValueError:
        return None


def _without_year(month: int, day: int, reference: date) -> When | None:
    found = infer_year(month, day, reference)
    return When(day=found, year_given=False) if found else None


def parse_span(text: str, reference: date) -> Span | None:
    """A date range ("Jan 12-Feb 28", "Jan 2-12", "10/31/2024 - 11/4/2024") or one date as a
    one-day span; None when the text is neither."""
    cleaned = _clean(text)
    single = parse_when(cleaned, reference)
    if single is not None:
        return Span(single, single)
    for match in _SEPARATOR.finditer(cleaned):
        left, right = cleaned[:match.start()], cleaned[match.end():]
        start = parse_when(left, reference)
        if start is None or not right.strip():
            continue
        end = _range_end(right, start, left, reference)
        if end is not None:
            return Span(start, end)
    return None


def _range_end(right: str, start: When, left: str, reference: date) -> When | None:
    if start.offset is not None:
        end = parse_when(right, reference)
        return end if end is not None and end.offset is not None else None
    bare = _BARE_DAY.match(_clean(right))
    if bare and start.day:
        try:
            return When(day=start.day.replace(day=int(bare[1])), year_given=start.year_given)
        except ValueError:
            return None
    # The end is read near the start, so "Dec 20 - Jan 5" ends in the next year.
    end = parse_when(right, start.day or reference)
    if end is None or end.offset is not None:
        return None
    if end.day and start.day and end.day < start.day and not end.year_given:
        end = When(day=infer_year(end.day.month, end.day.day, start.day + timedelta(days=180)),
                   year_given=False)
    return end


def looks_like_date(text: str) -> bool:
    """Whether a text seems meant as a date (names a month, or is written like one)."""
    if _DATEISH.search(text):
        return True
    return any(month_number(word) for word in _MONTH_WORD.findall(text)
               if word.lower() not in {"may", "mar"} or word[0].isupper())


_STYLE_ISO = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}")
_STYLE_NUMERIC = re.compile(r"^\d{1,2}/\d{1,2}(/\d{2,4})?")
_STYLE_MONTH = re.compile(r"^([A-Za-z]{3,9})\.?[ \t]*\d{1,2}(?:st|nd|rd|th)?(,?[ \t]*\d{4})?")


def format_like(value: date, sample: str) -> str:
    """A date written the way the sample (or the sample's first date) was: ISO, 'Jan 12',
    'March 1', 'January 15, 2026', '10/31/2024'."""
    sample = _clean(sample)
    if match := _STYLE_NUMERIC.match(sample):
        day = f"{value.month}/{value.day}"
        return f"{day}/{value.year}" if match[1] else day
    match = _STYLE_MONTH.match(sample)
    if _STYLE_ISO.match(sample) or not match or not month_number(match[1]):
        return value.isoformat()
    month = MONTHS[value.month - 1].title()
    if len(match[1]) <= 3:
        month = SHORT_MONTHS[value.month - 1]
    text = f"{month} {value.day}"
    return f"{text}, {value.year}" if match[2] else text


def format_span(start: date | None, end: date | None, sample: str = "") -> str:
    """A range written like the sample, with an en dash; one date when start and end are equal."""
    if start is None and end is None:
        return ""
    if start is None or end is None or start == end:
        return format_like(start or end, sample)
    return f"{format_like(start, sample)}\u2013{format_like(end, sample)}"
