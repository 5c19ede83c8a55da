"""Views across releases: the month calendar, the timeline of active releases, saved portfolio
filters."""

from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from tests.conftest import signed_in
from tests.factories import ProductFactory, make_release
from tminus.core.actors import Actor
from tminus.core.errors import NotAllowed, ValidationFailed
from tminus.meetings import services as meeting_services
from tminus.readiness import services as readiness_services
from tminus.releases import services
from tminus.releases.models import Release, SavedFilter
from tminus.reports import calendar

pytestmark = pytest.mark.django_db
GO_LIVE = date(2027, 3, 18)


def _aware(day: date):
    return timezone.make_aware(datetime(day.year, day.month, day.day, 9, 0))


def test_month_calendar_shows_go_lives_milestones_freezes_and_meetings_across_products():
    shop = make_release(ProductFactory(key="shop", name="Shop"), name="Checkout",
                        go_live=GO_LIVE)
    make_release(ProductFactory(key="food", name="Food"), name="Menus", go_live=GO_LIVE)
    meeting_services.meeting_create(release=shop, title="Go/no-go", date=date(2027, 3, 16),
                                    actor=Actor.cli())
    readiness_services.freeze_window_add(name="Quarter close", starts_at=_aware(date(2027, 3, 29)),
                                         ends_at=_aware(date(2027, 3, 31)), actor=Actor.cli())

    month = calendar.month_calendar(date(2027, 3, 1))

    days = {day: [e.label for e in events] for week in month["weeks"]
            for day, _in_month, events in week}
    assert {"Go-live: Checkout", "Go-live: Menus"} <= set(days[GO_LIVE])
    assert "Go/no-go (Checkout)" in days[date(2027, 3, 16)]
    assert days[date(2027, 3, 30)] == ["Freeze: Quarter close"]
    assert any("(Checkout)" in label for labels in days.values() for label in labels
               if not label.startswith(("Go-live", "Go/no-go")))


def test_month_calendar_page_filters_by_product_and_refuses_a_bad_month_with_a_message(viewer):
    make_release(ProductFactory(key="shop"), name="Checkout", go_live=GO_LIVE)
    make_release(ProductFactory(key="food"), name="Menus", go_live=GO_LIVE)
    client = signed_in(viewer)

    page = client.get("/calendar/?month=2027-03&product=food").content.decode()
    bad = client.get("/calendar/?month=soon", follow=True).content.decode()

    assert "Go-live: Menus" in page and "Go-live: Checkout" not in page
    assert "not a month" in bad


def test_timeline_of_releases_draws_each_active_release_and_leaves_out_closed_ones(viewer):
    today = timezone.localdate()
    active = make_release(name="Checkout", go_live=today + timedelta(days=20))
    closed = make_release(name="Old one", go_live=today - timedelta(days=40))
    Release.objects.filter(pk=closed.pk).update(status="closed")

    page = signed_in(viewer).get("/timeline/").content.decode()

    assert "<svg" in page and f'href="/releases/{active.key}/"' in page
    assert "Old one" not in page


def test_saved_filter_keeps_the_portfolio_query_and_takes_the_person_back_to_it(viewer):
    ProductFactory(key="shop")
    client = signed_in(viewer)

    response = client.post("/filters/save", {"name": "Shop, active", "product": "shop",
                                             "status": "active", "page": "3"})

    saved = SavedFilter.objects.get()
    assert saved.owner == viewer and saved.query == "product=shop&status=active"
    assert response["Location"] == "/?product=shop&status=active"
    assert "Shop, active" in client.get("/").content.decode()


def test_saved_filter_without_a_filter_or_name_is_refused_per_field(viewer):
    with pytest.raises(ValidationFailed) as refused:
        services.saved_filter_save(name="", query={}, actor=Actor(viewer, "web"))

    assert set(refused.value.errors) == {"name", "query"}


def test_saved_filter_of_someone_else_cannot_be_deleted(viewer, manager):
    saved = services.saved_filter_save(name="Mine", query={"status": "live"},
                                       actor=Actor(viewer, "web"))

    with pytest.raises(NotAllowed):
        services.saved_filter_delete(saved=saved, actor=Actor(manager, "web"))
    assert signed_in(manager).post(f"/filters/{saved.pk}/delete").status_code == 404
    assert SavedFilter.objects.filter(pk=saved.pk).exists()
