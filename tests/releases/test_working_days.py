"""Working days: offsets in working days, a working week and holidays per product (typed in or
imported from an ICS file), and dates on days nobody works flagged on the release page."""

from datetime import date

import pytest

from tests.conftest import signed_in
from tests.factories import ProductFactory, make_release
from tminus.core.actors import Actor
from tminus.core.errors import ValidationFailed
from tminus.core.offsets import date_at, format_offset, parse_offset
from tminus.releases import services
from tminus.releases.calendars import calendar_for
from tminus.releases.models import Holiday, Milestone

pytestmark = pytest.mark.django_db
FRIDAY = date(2027, 3, 5)
ICS = b"""BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Example//Holidays//EN
BEGIN:VEVENT
UID:1
DTSTART;VALUE=DATE:20270301
DTEND;VALUE=DATE:20270302
SUMMARY:Company day
END:VEVENT
BEGIN:VEVENT
UID:2
DTSTART;VALUE=DATE:20271224
DTEND;VALUE=DATE:20271227
SUMMARY:Christmas
END:VEVENT
END:VCALENDAR
"""


def test_working_day_offsets_parse_format_and_step_over_weekends():
    offset = parse_offset("T-5wd")

    assert format_offset(offset) == "T-5wd"
    assert parse_offset("T-5d") == -5 and format_offset(-5) == "T-5d"
    assert date_at(FRIDAY, offset) == date(2027, 2, 26)  # Friday a week before
    assert date_at(FRIDAY, parse_offset("T+1wd")) == date(2027, 3, 8)  # the Monday after
    assert date_at(FRIDAY, -5) == date(2027, 2, 28)  # calendar days land on a Sunday


def test_working_day_offsets_step_over_the_products_holidays():
    product = ProductFactory(key="shop")
    services.holidays_import_ics(product=product, data=ICS, actor=Actor.cli())

    calendar = calendar_for(product)

    assert date_at(FRIDAY, parse_offset("T-4wd"), calendar) == date(2027, 2, 26)
    assert calendar.why_not_working(date(2027, 3, 1)) == "holiday: Company day"
    assert calendar.why_not_working(date(2027, 3, 6)) == "Saturday"
    assert calendar.why_not_working(date(2027, 3, 2)) == ""


def test_ics_import_adds_every_day_of_each_event_once():
    product = ProductFactory(key="shop")

    added = services.holidays_import_ics(product=product, data=ICS, actor=Actor.cli())
    again = services.holidays_import_ics(product=product, data=ICS, actor=Actor.cli())

    assert added == 4 and again == 0
    assert list(Holiday.objects.values_list("date", flat=True)) == [
        date(2027, 3, 1), date(2027, 12, 24), date(2027, 12, 25), date(2027, 12, 26)]


def test_ics_import_of_something_else_is_refused_with_a_message_for_the_file():
    product = ProductFactory(key="shop")

    with pytest.raises(ValidationFailed) as refused:
        services.holidays_import_ics(product=product, data=b"not a calendar", actor=Actor.cli())

    assert "file" in refused.value.errors
    assert not Holiday.objects.exists()


def test_a_new_working_week_moves_dates_counted_in_working_days():
    release = make_release(go_live=FRIDAY)
    freeze = Milestone.objects.filter(release=release).first()
    services.milestone_update(milestone=freeze, changes={"date_offset": parse_offset("T-1wd")},
                              revision=None, actor=Actor.cli())
    freeze.refresh_from_db()
    assert freeze.date == date(2027, 3, 4)

    services.working_week_set(product=release.product, days="1235", actor=Actor.cli())

    freeze.refresh_from_db()
    assert freeze.date == date(2027, 3, 3)  # Thursday is no longer worked


def test_working_week_of_nonsense_is_refused_per_field():
    product = ProductFactory(key="shop")

    with pytest.raises(ValidationFailed) as refused:
        services.working_week_set(product=product, days="89", actor=Actor.cli())

    assert "days" in refused.value.errors


def test_release_page_flags_a_milestone_on_a_saturday_and_an_item_due_on_a_holiday(viewer):
    release = make_release(go_live=FRIDAY)
    milestone = release.milestones.first()
    services.milestone_date_set(milestone=milestone, on=date(2027, 3, 6), revision=None,
                                actor=Actor.cli())
    item = release.checklist_items.first()
    services.checklist_item_update(item=item, revision=None,
                                   changes={"due_date": date(2027, 3, 1)}, actor=Actor.cli())
    services.holiday_add(product=release.product, on=date(2027, 3, 1), name="Company day",
                         actor=Actor.cli())

    page = signed_in(viewer).get(f"/releases/{release.key}/").content.decode()

    assert '<strong class="nonworking">⚠ Saturday</strong>' in page
    assert "due 2027-03-01 <strong class=\"nonworking\">⚠ holiday: Company day</strong>" in page


def test_calendar_page_imports_an_ics_file_and_refuses_a_bad_one(manager):
    ProductFactory(key="shop", name="Shop")
    client = signed_in(manager)
    from django.core.files.uploadedfile import SimpleUploadedFile

    good = client.post("/products/shop/calendar/holidays/import",
                       {"file": SimpleUploadedFile("h.ics", ICS, "text/calendar")}, follow=True)
    bad = client.post("/products/shop/calendar/holidays/import",
                      {"file": SimpleUploadedFile("h.ics", b"nope", "text/calendar")})

    assert "4 holidays imported." in good.content.decode()
    assert "Christmas" in good.content.decode()
    assert bad.status_code == 422 and "not an ICS calendar" in bad.content.decode()


def test_calendar_page_changes_are_refused_to_a_viewer(viewer):
    ProductFactory(key="shop")

    response = signed_in(viewer).post("/products/shop/calendar/week", {"days": ["1", "2"]})

    assert response.status_code == 403
