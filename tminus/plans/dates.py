"""Reading the dates people write in plans, through dateparser.

"Tuesday 10th September 2024", "2024-Jan-07", "Mon Aug 29, 2022", "05/06/2025", "Nov 1",
"01:00 UTC Friday 10th February 2023", ranges such as "Jan 12-Feb 28", "March 12th - 14th",
"3/18-29/24", "7/31-8/21/24", "November 11-18, 2024", "April 17-21 2023", "Week of 4/4", and
"T-28d" relative to go-live. dateparser reads each date; this module only finds where dates are,
joins the two ends of a range, and decides the year of a date written without one.

A date without a year takes the year the document states near it (the caller passes it as the
reference: a date, or a YearHint); a document that states no year at all gives dates the next
such day after the import day, and the caller warns about it. Pure Python with no Django import.
"""

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from urllib.parse import unquote

from tminus.core.offsets import format_offset, parse_offset

MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august",
          "september", "october", "november", "december"]
SHORT_MONTHS = [name[:3].title() for name in MONTHS]

_MONTH = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
          r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)(?![a-z])\.?")
_WEEKDAY = r"(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]{0,6}\.?,?[ \t]+)"
_ORD = r"(?:st|nd|rd|th)?"
_YEAR = r"(?:19|20)\d{2}"
_TIME = (r"(?:\d{1,2}(?::\d{2})?[ \t]*(?:am|pm)|\d{1,2}:\d{2})(?:[ \t]*(?:utc|gmt|[ecmp][sd]?t|"
         r"et|pt|ct|mt))?")
# A date written with a month name, numbers, or ISO; the year and a weekday are optional.
_NAMED = (rf"(?:{_WEEKDAY})?(?:(?:the[ \t]+)?\d{{1,2}}{_ORD}[ \t]+(?:of[ \t]+)?{_MONTH}"
           rf"(?![ \t]*\d{{1,2}}(?!\d))"
          rf"(?:,?[ \t]+{_YEAR})?|{_MONTH}[ \t]*\d{{1,2}}{_ORD}(?!\w)(?:,?[ \t]+{_YEAR})?)")
_NUMERIC = (rf"(?:{_YEAR}[-/.](?:\d{{1,2}}|[a-z]{{3}})[-/.]\d{{1,2}}|"
            r"\d{1,2}/\d{1,2}(?:/(?:\d{4}|\d{2}))?)(?![\d/])")
_ONE = rf"(?:{_NAMED}|{_NUMERIC})"
_SEP = r"[ \t]*(?:\u2013|\u2014|-|\bto\b|\bthrough\b|\bthru\b|\buntil\b|\.\.)[ \t]*"
# The end of a range may leave out what it shares with the start: "March 12th - 14th",
# "Jan 2-12", "3/18-29/24" (day and year), "April 17-21 2023".
_END = rf"(?:{_ONE}|\d{{1,2}}{_ORD}(?:/\d{{2,4}})?(?:,?[ \t]+{_YEAR})?(?![\d/]))"
FIND = re.compile(rf"(?<![\w/.-])(?:{_TIME}[ \t]+)?(?P<start>{_ONE})(?:{_SEP}(?P<end>{_END}))?"
                  rf"(?:,?[ \t]+{_YEAR})?", re.IGNORECASE)
_STARTS_ONE = re.compile(rf"^(?:{_TIME}[ \t]+)?{_ONE}", re.IGNORECASE)
_OFFSET = re.compile(r"^T[ \t]*(?:[+-][ \t]*\d{1,4}[ \t]*[dwDW]?)?$")
_OFFSET_SPAN = re.compile(r"^(T[^\u2013\u2014]*?)[ \t]*(?:\u2013|\u2014|-(?=[ \t]*T)|\bto\b)"
                          r"[ \t]*(T.*)$")
_HAS_YEAR = re.compile(rf"\b{_YEAR}\b|'\d{{2}}\b|\d{{1,2}}/\d{{1,2}}/\d{{2,4}}|^\d{{4}}[-/.]")
_MONTH_WORD = re.compile(r"\b([A-Za-z]{3,9})\.?[ \t]*\d", re.IGNORECASE)
_DATEISH = re.compile(r"\d{4}-\d{1,2}-\d{1,2}|\b\d{1,2}/\d{1,2}\b|\bT[+-]\d")
_STATED_YEAR = re.compile(
    rf"{_MONTH}[ \t]+(?:of[ \t]+)?({_YEAR})\b|\b({_YEAR})[ \t]*(?:Q[1-4]|H[12])\b|"
    rf"\b(?:Q[1-4]|H[12]|FY)[ \t]*({_YEAR})\b|\b(?:in|of|since|during)[ \t]+({_YEAR})\b|"
    rf"\b(?:spring|summer|autumn|fall|winter)[ \t]+(?:of[ \t]+)?({_YEAR})\b",
    re.IGNORECASE)
_ANY_YEAR = re.compile(rf"(?<!\d)({_YEAR})(?!\d)")
_SETTINGS = {"PREFER_DAY_OF_MONTH": "first", "RETURN_AS_TIMEZONE_AWARE": False,
             "REQUIRE_PARTS": ["day", "month"], "DATE_ORDER": "MDY"}


@dataclass(frozen=True)
class YearHint:
    """The year to give a date written without one: the one the document states near it, or,
    when the document states none, the next such day on or after `today`."""

    year: int | None
    today: date
    guessed: bool = False  # the year is not stated: it is the one fallback_year() chose


@dataclass(frozen=True)
class When:
    """A day as written: a calendar date, an offset from go-live, or both unknown."""

    day: date | None = None
    offset: int | None = None
    year_given: bool = True
    guessed: bool = False  # the document states no year: the next such day was taken

    def as_text(self) -> str:
        if self.offset is not None:
            return format_offset(self.offset)
        return self.day.isoformat() if self.day else ""


@dataclass(frozen=True)
class Span:
    start: When
    end: When


@dataclass(frozen=True)
class Found:
    """A date or range found inside a longer text, with where it is."""

    start: int
    end: int
    span: Span


def month_number(word: str) -> int | None:
    """1-12 for a month name or its abbreviation in any letter case ("MArch", "Sept")."""
    word = word.lower().rstrip(".")
    if len(word) < 3:
        return None
    for number, name in enumerate(MONTHS, start=1):
        if name.startswith(word) or (word == "sept" and number == 9):
            return number
    return None


def infer_year(month: int, day: int, reference) -> date | None:
    """The date in the year the reference gives (a date's year, or a YearHint)."""
    if isinstance(reference, YearHint) and reference.year is None:
        return _next_after(month, day, reference.today)
    year = reference.year
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _next_after(month: int, day: int, today: date) -> date | None:
    for year in (today.year, today.year + 1, today.year + 4):
        try:
            found = date(year, month, day)
        except ValueError:
            continue
        if found >= today:
            return found
    return None


@lru_cache(maxsize=1)
def _parser():
    from dateparser.date import DateDataParser

    return DateDataParser(languages=["en"], settings=_SETTINGS)


@lru_cache(maxsize=4096)
def _dateparser(text: str) -> date | None:
    found = _parser().get_date_data(text)
    return found.date_obj.date() if found and found.date_obj else None


def _clean(text: str) -> str:
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)  # a link: its text
    text = re.sub(r"[*_`~]+", " ", text)
    return " ".join(text.split()).strip().strip("()[]").strip().rstrip(":.,;").strip()


def _one(text: str, reference) -> When | None:
    """One date that is the whole (cleaned) text."""
    text = re.sub(rf"^{_WEEKDAY}", "", text, flags=re.IGNORECASE)  # "Tueday 11th April 2023"
    text = re.sub(r"(\d)(st|nd|rd|th)\b", r"\1", text, flags=re.IGNORECASE)  # "29nd July"
    text = re.sub(r"^the\s+", "", text, flags=re.IGNORECASE)
    text = re.sub(r"^(\d{1,2}/\d{1,2}),?\s+(\d{4})$", r"\1/\2", text)
    match = re.match(rf"^({_YEAR})[-/.](\d{{1,2}})[-/.](\d{{1,2}})$", text)
    if match:  # "2025/03/10": year first, whatever the separator
        return _make(int(match[1]), int(match[2]), int(match[3]))
    if not _STARTS_ONE.match(text) and not re.match(rf"^{_YEAR}-[a-z]{{3}}-\d", text, re.I):
        return None
    found = _dateparser(text)
    if found is None:
        return None
    if _HAS_YEAR.search(text):
        return When(day=found)
    guessed = isinstance(reference, YearHint) and (reference.year is None or reference.guessed)
    day = infer_year(found.month, found.day, reference)
    return When(day=day, year_given=False, guessed=guessed) if day else None


def _make(year: int, month: int, day: int) -> When | None:
    try:
        return When(day=date(year, month, day))
    except ValueError:
        return None


def parse_when(text: str, reference) -> When | None:
    """One date or T-offset, or None when the whole text is not one."""
    text = _clean(text)
    if _OFFSET.match(text):
        try:
            return When(offset=parse_offset(text))
        except ValueError:
            return None
    if not text or FIND.fullmatch(text) is None or FIND.fullmatch(text)["end"]:
        return None
    return _one(text, reference)


def parse_span(text: str, reference) -> Span | None:
    """A date range ("Jan 12-Feb 28", "Jan 2-12", "10/31/2024 - 11/4/2024") or one date as a
    one-day span; None when the text is neither."""
    cleaned = _clean(text)
    if match := _OFFSET_SPAN.match(cleaned):
        start, end = parse_when(match[1], reference), parse_when(match[2], reference)
        if start and end and start.offset is not None and end.offset is not None:
            return Span(start, end)
        return None
    single = parse_when(cleaned, reference)
    if single is not None:
        return Span(single, single)
    match = FIND.fullmatch(cleaned)
    if match is None:
        return None
    return _span(match, cleaned, reference)


def find_dates(text: str, reference) -> list[Found]:
    """Every date and range written inside a text, in order ("Desired date: PW Sprint 61 (June
    20-July 1), or Sprint 62 (July 5)" has two). Struck-out text (~~old~~) is skipped."""
    found = []
    for match in FIND.finditer(_unstruck(text)):
        span = _span(match, match.group(0), reference)
        if span is not None:
            found.append(Found(match.start(), match.end(), span))
    return found


def _unstruck(text: str) -> str:
    return re.sub(r"~~?[^~]+~~?", lambda m: " " * len(m.group(0)), text)


def _span(match: re.Match, whole: str, reference) -> Span | None:
    start_text, end_text = match["start"], match["end"]
    trailing = whole[match.end("end") if end_text else match.end("start"):match.end()]
    year = re.search(_YEAR, trailing)
    if not end_text:
        text = f"{start_text} {year.group(0)}" if year and not _HAS_YEAR.search(start_text) \
            else start_text
        when = _one(_clean(text), reference)
        return Span(when, when) if when else None
    if year and not _HAS_YEAR.search(end_text):
        end_text = f"{end_text} {year.group(0)}"
    end = _range_end(_clean(end_text), _clean(start_text), reference)
    if end is None:
        return None
    start = _one(_clean(start_text), _hint_from(end, reference))
    if start is None or start.day is None:
        return None
    if not _HAS_YEAR.search(start_text) and end.year_given and start.day > end.day:
        start = When(day=infer_year(start.day.month, start.day.day,
                                    date(end.day.year - 1, 1, 1)), year_given=False)
    elif not end.year_given and start.day and end.day < start.day:
        # "Dec 20 - Jan 5": the end is in the following year.
        end = When(day=infer_year(end.day.month, end.day.day, date(start.day.year + 1, 1, 1)),
                   year_given=False, guessed=end.guessed)
    if start.day is None or end.day is None:
        return None
    return Span(start, end)


def _hint_from(end: When, reference):
    return date(end.day.year, 1, 1) if end.year_given and end.day else reference


def _range_end(end_text: str, start_text: str, reference) -> When | None:
    start = _one(start_text, reference)
    if start is None or start.day is None:
        return None
    end_text = re.sub(r"^(\d{1,2}/\d{1,2}),?\s+(\d{4})$", r"\1/\2", end_text)  # "3/11 2025"
    if "/" in end_text and (end := _one(end_text, date(start.day.year, 1, 1))) is not None:
        return end
    bare = re.match(rf"^(\d{{1,2}})(?:{_ORD})(?:/(\d{{2,4}}))?(?:,?\s+({_YEAR}))?$", end_text,
                    re.IGNORECASE)
    if bare:  # "14th", "12", "29/24", "21 2023": the start's month
        year = bare[2] or bare[3]
        if year:
            full = int(year) + (2000 if len(year) == 2 else 0)
            return _make(full, start.day.month, int(bare[1]))
        try:
            day = start.day.replace(day=int(bare[1]))
        except ValueError:
            return None
        return When(day=day, year_given=start.year_given, guessed=start.guessed)
    return _one(end_text, date(start.day.year, 1, 1) if start.day else reference)


def looks_like_date(text: str) -> bool:
    """Whether a text seems meant as a date (names a month, or is written like one)."""
    if _DATEISH.search(text):
        return True
    return any(month_number(word) for word in _MONTH_WORD.findall(text)
               if word.lower() not in {"may", "mar"} or word[0].isupper())


def stated_years(lines: list[str]) -> list[tuple[int, int]]:
    """(line index, year) for every year the document states in its text: in a full date,
    next to a month ('November 2023'), a quarter ('2024 Q2') or 'in 2023'. Years that only
    appear inside link addresses count when the text states none."""
    found = []
    for index, line in enumerate(lines):
        text = re.sub(r"\]\([^)]*\)", "]", line)  # link targets are not the text
        for match in FIND.finditer(text):
            if year := re.search(rf"(?<!\d){_YEAR}(?!\d)", match.group(0)):
                found.append((index, int(year.group(0))))
            elif re.search(r"\d{1,2}/\d{1,2}/(\d{2})\b", match.group(0)):
                found.append((index, 2000 + int(re.search(r"/(\d{2})\b(?!.*/\d)",
                                                          match.group(0))[1])))
        for match in _STATED_YEAR.finditer(text):
            found.append((index, int(next(g for g in match.groups() if g))))
        if text.lstrip().startswith("#"):  # a year in a heading speaks for what follows
            found += [(index, int(m.group(1))) for m in _ANY_YEAR.finditer(text)]
    if found:
        return sorted(set(found))
    return [(index, int(m.group(1))) for index, line in enumerate(lines)
            for m in _ANY_YEAR.finditer(unquote(line))]


def fallback_year(lines: list[str], today: date) -> int:
    """For a document that states no year: the first year from today's on in which its
    latest date has not passed yet, so its plan is read as the next one to come."""
    days = [(f.span.end.day.month, f.span.end.day.day) for line in lines
            for f in find_dates(line, date(2000, 1, 1)) if f.span.end.day]
    if not days:
        return today.year
    month, day = max(days)
    return today.year if (month, day) >= (today.month, today.day) else today.year + 1


def year_near(years: list[tuple[int, int]], line: int) -> int | None:
    """The year stated closest before a line (the previous row), else the first after it."""
    before = [year for index, year in years if index <= line]
    if before:
        return before[-1]
    after = [year for index, year in years if index > line]
    return after[0] if after else None


_STYLE_ISO = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}")
_STYLE_SLASH_ISO = re.compile(r"^\d{4}/\d{1,2}/\d{1,2}")
_STYLE_NUMERIC = re.compile(r"^\d{1,2}/\d{1,2}(/\d{2,4})?")
_STYLE_MONTH = re.compile(r"^([A-Za-z]{3,9})\.?[ \t]*\d{1,2}(?:st|nd|rd|th)?(,?[ \t]*\d{4})?")
_STYLE_DAY_MONTH = re.compile(
    r"^(?:([A-Za-z]+)[ \t]+)?\d{1,2}(st|nd|rd|th)?[ \t]+([A-Za-z]{3,9})(?:[ \t]+(\d{4}))?")


def _ordinal(day: int) -> str:
    suffix = "th" if 10 <= day % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix}"


def format_like(value: date, sample: str) -> str:
    """A date written the way the sample (or the sample's first date) was: ISO, '2025/03/10',
    'Jan 12', 'March 1', 'January 15, 2026', '10/31/2024', 'Tuesday 10th September 2024'."""
    sample = _clean(sample)
    if _STYLE_SLASH_ISO.match(sample):
        return f"{value.year}/{value.month:02d}/{value.day:02d}"
    if match := _STYLE_NUMERIC.match(sample):
        day = f"{value.month}/{value.day}"
        return f"{day}/{value.year}" if match[1] else day
    if (match := _STYLE_DAY_MONTH.match(sample)) and month_number(match[3]):
        weekday = f"{value:%A} " if match[1] else ""
        day = _ordinal(value.day) if match[2] else str(value.day)
        month = MONTHS[value.month - 1].title() if len(match[3]) > 3 \
            else SHORT_MONTHS[value.month - 1]
        return f"{weekday}{day} {month}" + (f" {value.year}" if match[4] else "")
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
