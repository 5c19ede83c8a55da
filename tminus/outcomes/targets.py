"""KPI targets as people write them, and measured values checked against them.

"500+ registered users in the first month", "95% uptime", "page load under 2 s", "< 500ms":
each becomes a comparator, a number, a unit and an optional window. Pure Python, no Django.
"""

import re
from dataclasses import dataclass

COMPARATORS = (">=", ">", "<=", "<", "=")
SYMBOLS = {">=": "≥", ">": ">", "<=": "≤", "<": "<", "=": "="}
COUNT = "count"

# Seconds per time unit, so that a value typed in ms can be checked against a target in s.
_TIME_UNITS = {"ms": 0.001, "s": 1.0, "min": 60.0, "h": 3600.0}
_UNIT_WORDS = {
    "%": "%", "percent": "%", "pct": "%",
    "ms": "ms", "msec": "ms", "millisecond": "ms", "milliseconds": "ms",
    "s": "s", "sec": "s", "secs": "s", "second": "s", "seconds": "s",
    "min": "min", "mins": "min", "minute": "min", "minutes": "min",
    "h": "h", "hr": "h", "hrs": "h", "hour": "h", "hours": "h",
}
_UNIT = r"(?P<unit>%|/\s*\d+(?:\.\d+)?|(?:percent|pct|milliseconds?|msec|ms|seconds?|secs?|s|" \
        r"minutes?|mins?|min|hours?|hrs?|hr|h)\b)"
# A number glued to a word ("p95", "5xx", "v2") is part of a name, not the quantity.
_NUMBER = r"(?<![\w.])(?P<number>\d[\d,]*(?:\.\d+)?|\.\d+)\s*(?P<thousands>k\b)?"
_QUANTITY = re.compile(rf"{_NUMBER}\s*(?P<plus>\+)?\s*{_UNIT}?", re.IGNORECASE)

# Words before the number, longest first so that "no more than" wins over "more than".
_WORDS_BEFORE = [
    ("no more than", "<="), ("not more than", "<="), ("no less than", ">="),
    ("not less than", ">="), ("greater than", ">"), ("more than", ">"), ("less than", "<"),
    ("fewer than", "<"), ("at least", ">="), ("at most", "<="), ("up to", "<="),
    ("minimum of", ">="), ("maximum of", "<="), ("minimum", ">="), ("maximum", "<="),
    ("min", ">="), ("max", "<="), ("within", "<="), ("exactly", "="), ("above", ">"),
    ("over", ">"), ("below", "<"), ("under", "<"),
]
_SYMBOL_BEFORE = re.compile(r"(>=|=>|≥|<=|=<|≤|>|<|=)\s*$")
_WORDS_AFTER = [("or more", ">="), ("or higher", ">="), ("or above", ">="),
                ("or less", "<="), ("or fewer", "<="), ("or lower", "<="), ("or below", "<=")]
_SYMBOL_NAMES = {"=>": ">=", "≥": ">=", "=<": "<=", "≤": "<="}

_NUMBER_WORDS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5,
                 "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10, "twelve": 12}
_HOURS = {"hour": 1, "day": 24, "week": 24 * 7, "month": 24 * 30, "year": 24 * 365}
_FIRST = re.compile(
    r"\b(?:in|within|during|over|for|by)?\s*(?:the\s+)?first\s+"
    r"(?:(?P<count>\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|twelve)\s+)?"
    r"(?P<span>hour|day|week|month|year)s?\b",
    re.IGNORECASE,
)
_NTH = re.compile(r"\b(?:in|by|at|after)?\s*(?:the\s+end\s+of\s+)?(?P<span>day|week|month)\s+"
                  r"(?P<count>\d+)\b\s*:?", re.IGNORECASE)
_ZERO = re.compile(r"\b(?:zero|no)\b", re.IGNORECASE)

HELP = ("Write a target with a number, like '95% uptime', '< 500ms', 'page load under 2 s' "
        "or '500+ registered users in the first month'.")


@dataclass(frozen=True)
class Target:
    """What a KPI must reach: `comparator value unit`, optionally within a window after go-live."""

    comparator: str
    value: float
    unit: str
    subject: str = ""
    window: str = ""
    window_hours: int | None = None

    def met_by(self, value: float) -> bool:
        """Whether a measured value (in this target's unit) meets the target."""
        return compare(value, self.comparator, self.value)

    def describe(self) -> str:
        """The target in a normal form, such as 'registered users ≥ 500 in the first month'."""
        parts = [self.subject] if self.subject else []
        parts += [SYMBOLS[self.comparator], format_quantity(self.value, self.unit)]
        if self.window:
            parts.append(f"in the {self.window}" if self.window.startswith("first")
                         else f"by {self.window}")
        return " ".join(parts)


def compare(value: float, comparator: str, target: float) -> bool:
    if comparator == ">=":
        return value >= target
    if comparator == ">":
        return value > target
    if comparator == "<=":
        return value <= target
    if comparator == "<":
        return value < target
    return abs(value - target) < 1e-9


def format_number(value: float) -> str:
    """500.0 as '500', 99.9 as '99.9'."""
    return f"{value:.6g}" if value != int(value) else str(int(value))


def format_quantity(value: float, unit: str) -> str:
    number = format_number(value)
    if unit == COUNT:
        return number
    if unit == "%" or unit.startswith("/"):
        return f"{number}{unit}"
    return f"{number} {unit}"


def parse_target(text: str) -> Target:
    """Parse a target; ValueError with a message that says how to write one when it cannot."""
    cleaned = " ".join((text or "").replace("\u2009", " ").split())
    if not cleaned:
        raise ValueError(f"The target is empty. {HELP}")
    rest, window, window_hours = _take_window(cleaned)
    match = _quantity(rest)
    if match is None:
        return _zero_target(rest, window, window_hours, text)
    before, after = rest[:match.start()], rest[match.end():]
    comparator, before = _comparator_before(before)
    after_comparator, after = _comparator_after(after)
    if match.group("plus"):
        comparator = comparator or ">="
    comparator = comparator or after_comparator or ">="
    return Target(
        comparator=comparator,
        value=_number(match),
        unit=_unit(match.group("unit")),
        subject=_subject(before, after),
        window=window,
        window_hours=window_hours,
    )


def _quantity(text: str) -> re.Match | None:
    for match in _QUANTITY.finditer(text):
        glued = text[match.end("number"):match.end("number") + 1]
        if match.group("unit") or match.group("thousands") or not glued.isalpha():
            return match
    return None


def _zero_target(rest: str, window: str, window_hours, text: str) -> Target:
    # "Zero data loss incidents": the count must stay at nothing.
    zero = _ZERO.search(rest)
    if zero is None:
        raise ValueError(f"{text!r} has no number to measure against. {HELP}")
    subject = _subject(rest[:zero.start()], rest[zero.end():])
    if not subject:
        raise ValueError(f"{text!r} does not say what is counted. {HELP}")
    return Target("=", 0.0, COUNT, subject, window, window_hours)


def _take_window(text: str) -> tuple[str, str, int | None]:
    match = _FIRST.search(text)
    if match:
        count = _count(match.group("count"))
        span = match.group("span").lower()
        label = f"first {span}" if count == 1 else f"first {count} {span}s"
        rest = text[:match.start()] + " " + text[match.end():]
        return rest, label, count * _HOURS[span]
    match = _NTH.search(text)
    if match:
        count, span = int(match.group("count")), match.group("span").lower()
        rest = text[:match.start()] + " " + text[match.end():]
        return rest, f"{span} {count}", count * _HOURS[span]
    return text, "", None


def _count(word: str | None) -> int:
    if not word:
        return 1
    return int(word) if word.isdigit() else _NUMBER_WORDS[word.lower()]


def _comparator_before(before: str) -> tuple[str | None, str]:
    symbol = _SYMBOL_BEFORE.search(before)
    if symbol:
        found = symbol.group(1)
        return _SYMBOL_NAMES.get(found, found), before[:symbol.start()]
    lowered = before.lower().rstrip()
    for words, comparator in _WORDS_BEFORE:
        if lowered.endswith(words) and (len(lowered) == len(words)
                                        or not lowered[-len(words) - 1].isalpha()):
            return comparator, before.rstrip()[:-len(words)]
    return None, before


def _comparator_after(after: str) -> tuple[str | None, str]:
    lowered = after.lower().lstrip()
    for words, comparator in _WORDS_AFTER:
        if lowered.startswith(words):
            return comparator, after.lstrip()[len(words):]
    return None, after


def _number(match: re.Match) -> float:
    value = float(match.group("number").replace(",", ""))
    return value * 1000 if match.group("thousands") else value


def _unit(raw: str | None) -> str:
    if not raw:
        return COUNT
    raw = raw.lower().replace(" ", "")
    if raw.startswith("/"):
        return "/" + format_number(float(raw[1:]))
    return _UNIT_WORDS[raw]


_FILLER = {"of", "the", "a", "an", "is", "are", "be", "with", "for", "and", "to", "in", "on"}


def _subject(before: str, after: str) -> str:
    words = re.sub(r"[:;,()\[\]]", " ", f"{before} {after}").split()
    while words and words[0].lower() in _FILLER:
        words.pop(0)
    while words and words[-1].lower() in _FILLER:
        words.pop()
    return " ".join(words)


# Measured values: "1.4 s", "1400ms", "97%", "520 users", "4.2/5" or a bare number.
_VALUE = re.compile(rf"^\s*(?P<sign>[-+])?\s*{_NUMBER}\s*{_UNIT}?\s*(?P<words>[^\d]*)$",
                    re.IGNORECASE)


def parse_value(text: str, unit: str) -> float:
    """A measured value in the KPI's unit; ValueError when it is not a number or has another unit.

    A bare number is taken to be in the KPI's unit; a time in another time unit is converted.
    """
    raw = str(text or "").strip()
    match = _VALUE.match(raw)
    if not raw or match is None:
        raise ValueError(f"{raw!r} is not a number; enter a value like "
                         f"{format_quantity(12, unit)!r}.")
    value = _number(match) * (-1 if match.group("sign") == "-" else 1)
    given = match.group("unit")
    if not given:
        return value
    given = _unit(given)
    if given == unit:
        return value
    if given in _TIME_UNITS and unit in _TIME_UNITS:
        return round(value * _TIME_UNITS[given] / _TIME_UNITS[unit], 9)
    expected = "a count" if unit == COUNT else unit
    raise ValueError(f"{raw!r} is in {given}, but this KPI is measured in {expected}.")
