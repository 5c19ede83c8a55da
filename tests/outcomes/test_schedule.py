from datetime import UTC, date, datetime

import pytest

from tminus.outcomes.schedule import Slot, parse_schedule, schedule_slots, slot_from_key

SEED_003 = ["day-1", "day-2", "day-3", "day-4", "day-5", "day-6", "day-7",
            "week-1", "week-2", "week-3", "week-4"]


@pytest.mark.parametrize("text", ["daily:7, weekly:4", "daily in week 1, weekly in month 1",
                                  "daily for 7 days and weekly for 4 weeks",
                                  "daily in the first week; weekly in the first month"])
def test_schedule_daily_in_week_one_weekly_in_month_one_gives_seed_003_slots(text):
    assert [slot.key for slot in schedule_slots(parse_schedule(text))] == SEED_003


def test_schedule_none_has_no_slots():
    assert schedule_slots(parse_schedule("none")) == []


@pytest.mark.parametrize("text", ["sometimes", "daily:0", "hourly:3", "", "daily:9999"])
def test_schedule_that_does_not_parse_is_refused(text):
    with pytest.raises(ValueError):
        parse_schedule(text)


def test_slot_due_dates_count_from_go_live():
    go_live = date(2026, 1, 15)
    assert Slot("daily", 1).due_on(go_live) == date(2026, 1, 16)
    assert Slot("weekly", 2).due_on(go_live) == date(2026, 1, 29)
    assert Slot("monthly", 1).due_on(go_live) == date(2026, 2, 15)
    assert Slot("daily", 1).due_at(go_live, UTC) == datetime(2026, 1, 16, tzinfo=UTC)


def test_slot_from_key_round_trips_and_refuses_nonsense():
    assert slot_from_key("week-3") == Slot("weekly", 3)
    assert slot_from_key("week-3").label == "Week 3"
    assert slot_from_key("fortnight-1") is None


def test_default_schedule_setting_that_does_not_parse_stops_start_up(settings):
    from django.apps import apps
    from django.core.exceptions import ImproperlyConfigured

    settings.KPI_CHECKIN_SCHEDULE = "every now and then"
    with pytest.raises(ImproperlyConfigured, match="TMINUS_KPI_CHECKIN_SCHEDULE"):
        apps.get_app_config("outcomes").ready()
