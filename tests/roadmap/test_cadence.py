from datetime import date

import pytest

from tminus.roadmap.cadence import DATES, MONTHLY, WEEKLY, parse_cadence


@pytest.mark.parametrize(("text", "kind", "interval", "day"), [
    ("monthly on the 15th", MONTHLY, 1, 15),
    ("Monthly on the 15th", MONTHLY, 1, 15),
    ("every month on the 1st", MONTHLY, 1, 1),
    ("every 3 months on the 1st", MONTHLY, 3, 1),
    ("quarterly on the last day", MONTHLY, 3, -1),
    ("every 2 weeks", WEEKLY, 2, None),
    ("fortnightly", WEEKLY, 2, None),
    ("weekly", WEEKLY, 1, None),
    ("every 4 weeks from 2026-01-05", WEEKLY, 4, None),
])
def test_parse_cadence_reads_the_forms_people_write(text, kind, interval, day):
    cadence = parse_cadence(text)
    assert (cadence.kind, cadence.interval, cadence.day) == (kind, interval, day)


def test_monthly_on_the_15th_proposes_seed_001_dates():
    cadence = parse_cadence("monthly on the 15th")
    assert cadence.dates_after(date(2026, 1, 15), 3) == [
        date(2026, 2, 15), date(2026, 3, 15), date(2026, 4, 15)]


def test_monthly_on_the_31st_falls_on_the_last_day_of_short_months():
    assert parse_cadence("monthly on the 31st").dates_after(date(2026, 1, 31), 2) == [
        date(2026, 2, 28), date(2026, 3, 31)]


def test_every_four_weeks_from_a_date_keeps_its_rhythm():
    cadence = parse_cadence("every 4 weeks from 2026-01-05")
    assert cadence.dates_after(date(2026, 2, 10), 2) == [date(2026, 3, 2), date(2026, 3, 30)]
    assert cadence.describe() == "every 4 weeks from 2026-01-05"


def test_every_two_weeks_counts_from_the_latest_release():
    cadence = parse_cadence("every 2 weeks")
    assert cadence.dates_after(date(2026, 3, 1), 2, anchor=date(2026, 2, 20)) == [
        date(2026, 3, 6), date(2026, 3, 20)]


def test_custom_dates_propose_the_ones_still_ahead():
    cadence = parse_cadence("2026-06-30, 2026-05-15; 2026-08-01")
    assert cadence.kind == DATES
    assert cadence.dates_after(date(2026, 6, 1), 5) == [date(2026, 6, 30), date(2026, 8, 1)]


@pytest.mark.parametrize(("text", "message"), [
    ("whenever we feel like it", "is not a cadence"),
    ("", "is empty"),
    ("monthly", "Say which day"),
    ("monthly on the 40th", "no day 40"),
    ("every 0 weeks", "every 1 to 52 weeks"),
    ("2026-02-30", "is not a date"),
])
def test_parse_cadence_that_does_not_parse_is_refused_with_a_message(text, message):
    with pytest.raises(ValueError, match=message):
        parse_cadence(text)
