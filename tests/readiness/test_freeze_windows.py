"""Freeze windows: one-off and recurring, global and per product, and the go-live warning."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from tests.conftest import signed_in
from tests.factories import ProductFactory, make_release
from tminus.core.actors import Actor
from tminus.core.errors import ValidationFailed
from tminus.readiness import selectors, services
from tminus.readiness.models import FreezeWindow

pytestmark = pytest.mark.django_db
CLI = Actor.cli()
FRIDAY = date(2026, 1, 2)


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


@pytest.fixture
def weekend_freeze():
    """Every Friday 12:00 to Monday 06:00, first from Friday 2 January 2026."""
    return services.freeze_window_add(name="Weekend freeze", starts_at=_at(FRIDAY, 12),
                                      ends_at=_at(FRIDAY + timedelta(days=3), 6),
                                      rrule="FREQ=WEEKLY;BYDAY=FR", actor=CLI)


def _frozen(product, moment: datetime) -> bool:
    return bool(selectors.freeze_windows_covering(product, moment, moment))


def test_recurring_friday_to_monday_window_catches_a_saturday_go_live(weekend_freeze):
    saturday = FRIDAY + timedelta(days=15)  # two weeks on
    release = make_release(go_live=saturday)

    warnings = selectors.go_live_freeze_warnings(release)

    assert len(warnings) == 1
    assert "Weekend freeze" in warnings[0]
    assert "Fri 2026-01-16 12:00 to Mon 2026-01-19 06:00" in warnings[0]


def test_recurring_window_edges_are_friday_noon_and_monday_six(weekend_freeze):
    friday = FRIDAY + timedelta(days=7)
    monday = friday + timedelta(days=3)
    assert not _frozen(None, _at(friday, 11, 59))
    assert _frozen(None, _at(friday, 12))
    assert _frozen(None, _at(monday, 5, 59))
    assert not _frozen(None, _at(monday, 6))
    assert not selectors.go_live_freeze_warnings(make_release(go_live=monday + timedelta(days=2)))


def test_recurring_window_does_not_reach_before_its_first_start(weekend_freeze):
    assert not _frozen(None, _at(FRIDAY - timedelta(days=6), 10))


def test_recurring_window_keeps_wall_clock_times_across_daylight_saving(settings):
    settings.TIME_ZONE = "Europe/Berlin"
    berlin = ZoneInfo("Europe/Berlin")
    start = datetime(2026, 3, 6, 12, tzinfo=berlin)
    services.freeze_window_add(name="Weekend", starts_at=start,
                               ends_at=start + timedelta(days=2, hours=18),
                               rrule="FREQ=WEEKLY;BYDAY=FR", actor=CLI)
    # Summer time starts on Sunday 29 March: the window still ends at 06:00 local on Monday.
    assert _frozen(None, datetime(2026, 3, 30, 5, 30, tzinfo=berlin))
    assert not _frozen(None, datetime(2026, 3, 30, 6, 30, tzinfo=berlin))


def test_one_off_holiday_window_and_per_product_scope():
    shop, layby = ProductFactory(key="shop"), ProductFactory(key="layby")
    services.freeze_window_add(name="Holidays", starts_at=_at(date(2026, 12, 24), 0),
                               ends_at=_at(date(2027, 1, 2), 0), actor=CLI)
    services.freeze_window_add(name="Black Friday", product=shop,
                               starts_at=_at(date(2026, 11, 24), 0),
                               ends_at=_at(date(2026, 12, 1), 0), actor=CLI)
    christmas, black_friday = _at(date(2026, 12, 25), 9), _at(date(2026, 11, 27), 9)
    assert _frozen(layby, christmas) and _frozen(shop, christmas) and _frozen(None, christmas)
    assert _frozen(shop, black_friday)
    assert not _frozen(layby, black_friday)
    assert not _frozen(None, black_friday)


def test_covering_a_period_lists_each_occurrence_in_order(weekend_freeze):
    found = selectors.freeze_windows_covering(None, _at(FRIDAY, 0), _at(FRIDAY + timedelta(28), 0))
    assert [o.start.date() for o in found] == [FRIDAY + timedelta(days=7 * n) for n in range(4)]
    assert all(o.window == weekend_freeze for o in found)


@pytest.mark.parametrize(("rule", "message"), [
    ("every friday", "not a recurrence rule"),
    ("FREQ=SOMETIMES", "DAILY, WEEKLY, MONTHLY or YEARLY"),
    ("FREQ=MINUTELY", "DAILY, WEEKLY, MONTHLY or YEARLY"),
    ("FREQ=WEEKLY;BYDAY=XX", "does not parse"),
    ("FREQ=WEEKLY;INTERVAL=0", "INTERVAL"),
    ("FREQ=WEEKLY;UNTIL=20200101", "never happens"),
    ("DTSTART:20260101T000000\nRRULE:FREQ=WEEKLY", "not a recurrence rule"),
])
def test_recurrence_rule_that_does_not_parse_is_refused_and_saves_nothing(rule, message):
    with pytest.raises(ValidationFailed) as refused:
        services.freeze_window_add(name="Bad", starts_at=_at(FRIDAY, 12),
                                   ends_at=_at(FRIDAY, 18), rrule=rule, actor=CLI)
    assert message in refused.value.errors["rrule"][0]
    assert not FreezeWindow.objects.exists()


def test_window_ending_before_it_starts_is_refused():
    with pytest.raises(ValidationFailed, match="end after it starts"):
        services.freeze_window_add(name="Backwards", starts_at=_at(FRIDAY, 12),
                                   ends_at=_at(FRIDAY, 11), actor=CLI)


def test_go_live_in_a_freeze_is_flagged_on_the_release_page_and_in_the_api(weekend_freeze,
                                                                           viewer, api_as):
    release = make_release(go_live=FRIDAY + timedelta(days=8))
    page = signed_in(viewer).get(f"/releases/{release.key}/").content.decode()
    assert "falls in the freeze window Weekend freeze" in page
    body = api_as(viewer).get(f"/api/v1/releases/{release.key}/readiness").json()
    assert "Weekend freeze" in body["freeze_warnings"][0]


def test_go_live_outside_freeze_criterion(weekend_freeze):
    release = make_release(go_live=FRIDAY + timedelta(days=8))
    release.readiness_criteria.all().delete()
    services.criterion_add(release=release, kind="go_live_outside_freeze", actor=CLI)
    row = selectors.readiness_report(release)[0]
    assert not row["met"] and "Weekend freeze" in row["why"]


def test_api_freeze_window_crud_and_covering_check(api_as, manager, viewer):
    api = api_as(manager)
    created = api.post("/api/v1/freeze-windows", {
        "name": "Weekend", "starts_at": "2026-01-02T12:00:00Z", "ends_at": "2026-01-05T06:00:00Z",
        "rrule": "FREQ=WEEKLY;BYDAY=FR"})
    assert created.status_code == 201, created.content
    covering = api_as(viewer).get("/api/v1/freeze-windows/covering?start=2026-01-10T10:00:00Z")
    assert [o["name"] for o in covering.json()] == ["Weekend"]
    assert covering.json()[0]["start"].startswith("2026-01-09T12:00")
    bad = api.patch(f"/api/v1/freeze-windows/{created.json()['id']}",
                    {"rrule": "FREQ=FORTNIGHTLY"})
    assert bad.status_code == 422
    assert FreezeWindow.objects.get().rrule == "FREQ=WEEKLY;BYDAY=FR"
    assert api_as(viewer).post("/api/v1/freeze-windows", {
        "name": "X", "starts_at": "2026-01-02T12:00:00Z",
        "ends_at": "2026-01-05T06:00:00Z"}).status_code == 403


def test_freeze_form_with_a_bad_rule_shows_the_error(manager):
    response = signed_in(manager).post("/freeze-windows/new", {
        "name": "Weekend", "starts_at": "2026-01-02T12:00", "ends_at": "2026-01-05T06:00",
        "rrule": "whenever"})
    assert response.status_code == 422
    assert "not a recurrence rule" in response.content.decode()
    assert not FreezeWindow.objects.exists()
