"""An admin gives a person named on the plans a sign-in, in a real Chromium, and they sign in."""

import pytest

from tests.support.pages import sign_in
from tminus.people.models import Person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _allow_sync_orm_under_playwright(monkeypatch):
    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls are
    # still synchronous, so Django's async guard must be told it is safe here.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def test_admin_gives_a_person_a_sign_in_from_the_people_page_and_they_sign_in(
        browser, live_server, admin_user):
    person = Person.objects.create(name="Priya Approver", email="priya@example.com")
    page = sign_in(browser, live_server, admin_user)
    page.goto(f"{live_server.url}/people/")
    page.get_by_role("link", name="Give a sign-in to Priya Approver").click()
    page.fill("input[name=username]", "priya")
    page.select_option("select[name=role]", "contributor")
    assert page.locator("select[name=person]").input_value() == str(person.pk)
    page.get_by_role("button", name="Save").click()

    shown = page.locator("#handed-over code")
    password = shown.inner_text()
    assert "Account created." in page.locator(".messages").inner_text()
    assert "Priya Approver" in page.locator("#accounts").inner_text()

    other = browser.new_context().new_page()
    other.goto(f"{live_server.url}/accounts/login/")
    other.fill("input[name=username]", "priya")
    other.fill("input[name=password]", password)
    other.click("button[type=submit]")
    other.wait_for_selector("h1")
    assert "priya · Contributor" in other.locator(".who").inner_text()
    page.reload()
    assert page.locator("#handed-over").count() == 0
