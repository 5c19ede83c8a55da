"""A person in a real headless Chromium: sign in, create a release, tick an item."""

import os

import pytest

from tests.factories import PASSWORD, ProductFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _allow_sync_orm_under_playwright(monkeypatch):
    # Playwright's sync API runs an event loop in this thread; the ORM calls made by the test
    # itself are still synchronous, so Django's async guard must be told it is safe here.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def test_person_signs_in_creates_release_from_template_and_ticks_an_item(browser, live_server,
                                                                         manager, tmp_path):
    ProductFactory(key="shop", name="E-Commerce Platform")
    page = browser.new_page()

    page.goto(f"{live_server.url}/")
    page.fill("input[name=username]", manager.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("h1:has-text('Portfolio')")

    page.click("text=New release")
    page.select_option("select[name=product]", "shop")
    page.fill("input[name=name]", "Create Order")
    page.fill("input[name=version]", "1.0")
    page.select_option("select[name=template]", "minor")
    page.fill("input[name=go_live]", "2030-03-28")
    page.click("button:has-text('Create release')")
    page.wait_for_selector("#release-status")
    assert "Create Order" in page.inner_text("h1")
    assert page.locator("svg.timeline").count() == 1

    before = page.inner_text("#release-progress-text")
    first_item = page.locator("li.item").first
    first_item.locator("input.tick").check()
    page.wait_for_function(
        "before => document.getElementById('release-progress-text').textContent !== before",
        arg=before,
    )
    done, total = page.inner_text("#release-progress-text").split("/")
    assert done == "1" and int(total) == int(before.split("/")[1])
    section_count = first_item.locator("xpath=ancestor::div[@class='section']").locator(".count")
    assert section_count.inner_text().startswith("1/")

    page.reload()
    assert page.locator("li.item").first.locator("input.tick").is_checked()
    if os.environ.get("TMINUS_SCREENSHOTS"):
        page.screenshot(path=os.path.join(os.environ["TMINUS_SCREENSHOTS"], "release.png"),
                        full_page=True)
