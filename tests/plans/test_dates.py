"""Dates as people write them in plans, with the year inferred when it is missing."""
# ruff: noqa: RUF001 (the en dash is what plans are written with)

from datetime import date

import pytest

from tminus.plans import dates

REF = date(2024, 12, 5)  # seed 000's release date


@pytest.mark.parametrize(("text", "start", "end"), [
    ("Jan 2–12", date(2025, 1, 2), date(2025, 1, 12)),
    ("Jan 12–Feb 28", date(2025, 1, 12), date(2025, 2, 28)),
    ("March 1-March 12", date(2025, 3, 1), date(2025, 3, 12)),
    ("March 12 – March19", date(2025, 3, 12), date(2025, 3, 19)),
    ("March 28", date(2025, 3, 28), date(2025, 3, 28)),
    ("MArch 28–April 10", date(2025, 3, 28), date(2025, 4, 10)),
    ("10/31/2024 - 11/4/2024", date(2024, 10, 31), date(2024, 11, 4)),
    ("March 12th - 14th", date(2025, 3, 12), date(2025, 3, 14)),
    ("2024-12-05", date(2024, 12, 5), date(2024, 12, 5)),
    ("January 15, 2026", date(2026, 1, 15), date(2026, 1, 15)),
    ("Dec 20 – Jan 5", date(2024, 12, 20), date(2025, 1, 5)),
])
def test_parse_span_reads_every_form_of_the_seeds(text, start, end):
    span = dates.parse_span(text, REF)

    assert (span.start.day, span.end.day) == (start, end)


def test_missing_year_is_the_one_closest_to_the_reference_date():
    assert dates.parse_when("November 1", date(2026, 11, 21)).day == date(2026, 11, 1)
    assert dates.parse_when("Jan 12", date(2024, 12, 5)).day == date(2025, 1, 12)
    assert dates.parse_when("Jan 12", date(2024, 12, 5)).year_given is False


def test_t_offsets_parse_as_offsets_from_go_live():
    span = dates.parse_span("T-70d–T-57d", REF)

    assert (span.start.offset, span.end.offset) == (-70, -57)
    assert dates.parse_when("T-0", REF).as_text() == "T-0"


@pytest.mark.parametrize("text", ["Jan 2M-12", "[To be determined]", "15-30 minutes",
                                  "Febtember 3", "13/45/2024", "soon"])
def test_unreadable_dates_give_none_instead_of_raising(text):
    assert dates.parse_span(text, REF) is None


def test_looks_like_date_tells_a_broken_date_from_a_duration():
    assert dates.looks_like_date("Jan 2M-12")
    assert not dates.looks_like_date("15-30 minutes")
    assert not dates.looks_like_date("2-4 hours before")


def test_format_like_writes_a_date_the_way_the_sample_was_written():
    day = date(2025, 3, 9)

    assert dates.format_like(day, "March 1") == "March 9"
    assert dates.format_like(day, "Jan 12") == "Mar 9"
    assert dates.format_like(day, "10/31/2024") == "3/9/2025"
    assert dates.format_like(day, "2024-12-05") == "2025-03-09"
    assert dates.format_like(day, "January 15, 2026") == "March 9, 2025"
    assert dates.format_span(day, date(2025, 3, 19), "Jan 12") == "Mar 9–Mar 19"


def test_month_number_accepts_typos_in_letter_case_and_abbreviations():
    assert dates.month_number("MArch") == 3
    assert dates.month_number("Sept") == 9
    assert dates.month_number("Ma") is None
    assert dates.month_number("Marc") == 3
