"""Dates as people write them in plans, with the year inferred when it is missing."""
# ruff: noqa: RUF001 (the en dash is what plans are written with)

from datetime import date

import pytest

from tminus.plans import dates

REF = date(2024, 12, 5)  # seed 000's release date: the year the document states
TODAY = date(2026, 11, 21)


@pytest.mark.parametrize(("text", "start", "end"), [
    ("Jan 2–12", date(2024, 1, 2), date(2024, 1, 12)),
    ("Jan 12–Feb 28", date(2024, 1, 12), date(2024, 2, 28)),
    ("March 1-March 12", date(2024, 3, 1), date(2024, 3, 12)),
    ("March 12 – March19", date(2024, 3, 12), date(2024, 3, 19)),
    ("March 28", date(2024, 3, 28), date(2024, 3, 28)),
    ("MArch 28–April 10", date(2024, 3, 28), date(2024, 4, 10)),
    ("10/31/2024 - 11/4/2024", date(2024, 10, 31), date(2024, 11, 4)),
    ("March 12th - 14th", date(2024, 3, 12), date(2024, 3, 14)),
    ("2024-12-05", date(2024, 12, 5), date(2024, 12, 5)),
    ("January 15, 2026", date(2026, 1, 15), date(2026, 1, 15)),
    ("Dec 20 – Jan 5", date(2024, 12, 20), date(2025, 1, 5)),
])
def test_parse_span_reads_every_form_of_the_seeds(text, start, end):
    span = dates.parse_span(text, REF)

    assert (span.start.day, span.end.day) == (start, end)


@pytest.mark.parametrize(("text", "start", "end"), [
    ("Tuesday 10th September 2024", date(2024, 9, 10), date(2024, 9, 10)),
    ("Monday 19th August 2024", date(2024, 8, 19), date(2024, 8, 19)),
    ("Tueday 11th April 2023", date(2023, 4, 11), date(2023, 4, 11)),
    ("Tuesday 29nd July 2025", date(2025, 7, 29), date(2025, 7, 29)),
    ("_04/10/2023 - 04/24/2023_", date(2023, 4, 10), date(2023, 4, 24)),
    ("3/18-29/24", date(2024, 3, 18), date(2024, 3, 29)),
    ("7/31-8/21/24", date(2024, 7, 31), date(2024, 8, 21)),
    ("November 11-18, 2024", date(2024, 11, 11), date(2024, 11, 18)),
    ("April 17-21 2023", date(2023, 4, 17), date(2023, 4, 21)),
    ("3/10-3/11 2025", date(2025, 3, 10), date(2025, 3, 11)),
    ("9/25/23 through 9/29/2023", date(2023, 9, 25), date(2023, 9, 29)),
    ("2024-Jan-07", date(2024, 1, 7), date(2024, 1, 7)),
    ("2025/03/10", date(2025, 3, 10), date(2025, 3, 10)),
    ("Mon Aug 29, 2022", date(2022, 8, 29), date(2022, 8, 29)),
    ("Nov 1", date(2024, 11, 1), date(2024, 11, 1)),
])
def test_parse_span_reads_dates_as_people_write_them(text, start, end):
    span = dates.parse_span(text, REF)

    assert (span.start.day, span.end.day) == (start, end)


@pytest.mark.parametrize(("text", "found"), [
    ("Week of 4/4", [(date(2024, 4, 4), date(2024, 4, 4))]),
    ("Kick-off 10am EST on Nov 1", [(date(2024, 11, 1), date(2024, 11, 1))]),
    ("[01:00 UTC Friday 10th February 2023 / 18:00 PDT Thursday 9th February 2023](https://x.y/s)",
     [(date(2023, 2, 10), date(2023, 2, 10)), (date(2023, 2, 9), date(2023, 2, 9))]),
    ("Sprint 61 (June 20-July 1), or Sprint 62 (July 5)",
     [(date(2024, 6, 20), date(2024, 7, 1)), (date(2024, 7, 5), date(2024, 7, 5))]),
    ("Phase 1 July 1-10, 2025 and July 22-24, 2025",
     [(date(2025, 7, 1), date(2025, 7, 10)), (date(2025, 7, 22), date(2025, 7, 24))]),
    ("~3/11/24 - 3/25/24~ 05/06/2025 - 05/13/2025", [(date(2025, 5, 6), date(2025, 5, 13))]),
    ("see gds.blog.gov.uk/2012/11/02/regular-releases and v1.18.19", []),
    ("9 AM ET standup, 15-30 minutes", []),
])
def test_find_dates_finds_every_date_and_range_inside_a_text(text, found):
    spans = dates.find_dates(text, REF)

    assert [(f.span.start.day, f.span.end.day) for f in spans] == found


def test_missing_year_is_the_year_the_document_states():
    assert dates.parse_when("Jan 12", date(2024, 12, 5)).day == date(2024, 1, 12)
    assert dates.parse_when("Jan 12", date(2024, 12, 5)).year_given is False
    assert dates.parse_when("Jan 12", dates.YearHint(2023, TODAY)).day == date(2023, 1, 12)


def test_a_document_without_any_year_takes_the_next_such_day_after_today():
    when = dates.parse_when("November 1", dates.YearHint(None, TODAY))

    assert when.day == date(2027, 11, 1)
    assert when.guessed


def test_stated_years_are_read_from_dates_months_and_quarters_before_link_addresses():
    lines = ["# Plan", "As of Nov 2023, things changed", "| 2024 Q2 | x |", "Jan 5",
             "[link](https://x/2019/01/01/post)"]

    assert dates.stated_years(lines) == [(1, 2023), (2, 2024)]
    assert dates.year_near(dates.stated_years(lines), 3) == 2024
    assert dates.year_near(dates.stated_years(lines), 0) == 2023
    assert dates.stated_years(["Relaunch", "[x](https://a/VA%20Relaunch%202018/doc)"]) == \
        [(1, 2018)]


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
    assert dates.format_like(day, "Tuesday 10th September 2024") == "Sunday 9th March 2025"
    assert dates.format_like(day, "2019/09/30") == "2025/03/09"


def test_month_number_accepts_typos_in_letter_case_and_abbreviations():
    assert dates.month_number("MArch") == 3
    assert dates.month_number("Sept") == 9
    assert dates.month_number("Ma") is None
    assert dates.month_number("Marc") == 3
