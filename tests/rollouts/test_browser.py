"""The live rollout page in a real headless Chromium follows the rollout without a reload."""

import pytest

from tests.factories import PASSWORD
from tests.rollouts.conftest import SYSTEM
from tminus.rollouts import services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _allow_sync_orm_under_playwright(monkeypatch):
    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls are
    # still synchronous, so Django's async guard must be told it is safe here.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def test_live_page_shows_a_rollback_made_elsewhere_and_its_controls_work(browser, live_server,
                                                                          settings, manager,
                                                                          plan):
    settings.ROLLOUT_PAGE_POLL_SECONDS = 1
    services.rollout_start(plan=plan, actor=SYSTEM, reason="go decision")
    page = browser.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", manager.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{live_server.url}/rollouts/{plan.key}/")
    assert page.locator("#rollout-status").inner_text() == "Running"

    # The worker (or a colleague's CLI) rolls it back; the page must notice by itself.
    services.rollout_rollback(plan=plan, actor=SYSTEM, reason="PDF service errors")
    page.wait_for_function(
        # A function, not an expression: evaluating a string is eval, which the CSP forbids.
        "() => document.querySelector('#rollout-status').textContent === 'Rolled back'")
    assert "PDF service errors" in page.locator("#part-timeline").inner_text()

    # The person resumes from the page, with a reason.
    page.fill(".control-resume input[name=reason]", "PDF service fixed")
    page.click(".control-resume button")
    page.wait_for_selector("text=Resume: done.")
    assert page.locator("#rollout-status").inner_text() == "Running"
    plan.refresh_from_db()
    assert plan.status == "running"
    page.close()
