"""Views across releases in a real headless Chromium: the month calendar, the timeline of all
active releases and a saved portfolio filter."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import ProductFactory, make_release
from tests.support.pages import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _allow_sync_orm_under_playwright(monkeypatch):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def test_calendar_shows_this_months_go_live_and_leads_to_the_release(browser, live_server,
                                                                     viewer):
    today = timezone.localdate()
    release = make_release(ProductFactory(key="shop", name="Shop"), name="Checkout",
                           go_live=today)
    page = sign_in(browser, live_server, viewer)

    page.goto(f"{live_server.url}/calendar/")
    page.click("td.today .event-go_live a")

    page.wait_for_url(f"**/releases/{release.key}/")
    assert "Checkout" in page.inner_text("h1")


def test_timeline_of_releases_links_each_bar_to_its_release(browser, live_server, viewer):
    release = make_release(name="Checkout", go_live=timezone.localdate() + timedelta(days=20))
    page = sign_in(browser, live_server, viewer)

    page.goto(f"{live_server.url}/timeline/")
    page.locator(f'svg.portfolio-timeline a[href="/releases/{release.key}/"] rect').click()

    page.wait_for_url(f"**/releases/{release.key}/")


def test_a_saved_portfolio_filter_comes_back_in_one_click(browser, live_server, viewer):
    shop = ProductFactory(key="shop", name="Shop")
    make_release(shop, name="Checkout")
    make_release(ProductFactory(key="food", name="Food"), name="Menus")
    page = sign_in(browser, live_server, viewer)

    page.select_option("select[name=product]", "shop")
    page.click("button:has-text('Filter')")
    page.fill("#saved-filter-name", "Shop only")
    page.click("button:has-text('Save filter')")
    page.wait_for_selector(".message.success")
    page.goto(f"{live_server.url}/")
    page.click(".saved-filter a:has-text('Shop only')")

    rows = page.inner_text("table.portfolio tbody")
    assert "Checkout" in rows and "Menus" not in rows
