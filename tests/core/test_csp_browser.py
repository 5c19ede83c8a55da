"""Every page under the Content-Security-Policy in a real Chromium: no violation reported, and
the pages' scripts still work."""

from urllib.parse import urljoin, urlsplit

import pytest

from tests.factories import PASSWORD
from tminus.core.demo_loader import demo_load

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PAGE_LIMIT = 50
# Links that change state, download a file or leave the pages.
SKIP = ("/accounts/logout", "/admin/", "export.", ".ics", ".csv", ".md", "/notes.", "/download")

# Recorded in the page before any of its own code runs; CSP reports land here.
WATCH_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (event) {
  window.__csp.push(event.violatedDirective + " " + (event.blockedURI || "inline") + " at " +
                    event.sourceFile + ":" + event.lineNumber);
});
"""


@pytest.fixture(autouse=True)
def _allow_sync_orm_under_playwright(monkeypatch):
    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls are
    # still synchronous, so Django's async guard must be told it is safe here.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def page(browser, live_server, admin_user):
    context = browser.new_context()
    context.add_init_script(WATCH_VIOLATIONS)
    page = context.new_page()
    page.console_messages = []
    page.on("console", lambda message: page.console_messages.append(message.text))
    page.page_errors = []
    page.on("pageerror", lambda error: page.page_errors.append(str(error)))
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", admin_user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("h1:has-text('Portfolio')")
    yield page
    context.close()


def _same_site_links(page, base: str) -> list[str]:
    hrefs = page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
    links = []
    for href in hrefs:
        url = urljoin(base, href).split("#")[0]
        if url.startswith(base) and not any(part in url for part in SKIP):
            links.append(url)
    return links


def test_main_pages_report_no_csp_violation(page, live_server):
    from tminus.releases.models import Release

    demo_load()  # the five seed plans: every area has something to show
    base = live_server.url
    # The richest release first, so its areas (comms, readiness, runbook, outcomes …) are seen.
    release = Release.objects.get(key="layby-1.0")
    queue = [f"{base}/releases/{release.key}/", f"{base}/", f"{base}/api/v1/docs"]
    seen, problems = set(), []
    while queue and len(seen) < PAGE_LIMIT:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        response = page.goto(url)
        page.wait_for_load_state("networkidle")
        if response is None or response.status >= 400:
            continue
        if "content-security-policy" not in response.headers:
            problems.append(f"{urlsplit(url).path}: no Content-Security-Policy header")
        violations = page.evaluate("window.__csp || []")
        problems += [f"{urlsplit(url).path}: {v}" for v in violations]
        queue += [link for link in _same_site_links(page, base) if link not in seen]

    csp_console = [m for m in page.console_messages if "Content Security Policy" in m]
    assert len(seen) >= 20, f"only {len(seen)} pages were reached"
    assert not problems and not csp_console, problems + csp_console
    assert not page.page_errors


def test_checklist_tick_still_saves_without_a_reload_under_the_policy(page, live_server):
    from tests.factories import make_release

    release = make_release(template="minor")
    page.goto(f"{live_server.url}/releases/{release.key}/")
    before = page.inner_text("#release-progress-text")
    page.locator("li.item input.tick:not(:checked)").first.check()
    page.wait_for_function(
        "before => document.getElementById('release-progress-text').textContent !== before",
        arg=before)
    assert page.evaluate("window.__csp") == []


def test_remove_button_asks_first_and_does_nothing_when_declined(page, live_server):
    from datetime import timedelta

    from django.utils import timezone

    from tminus.core.actors import Actor
    from tminus.readiness.models import FreezeWindow
    from tminus.readiness.services import freeze_window_add

    start = timezone.now() + timedelta(days=3)
    freeze_window_add(name="Black Friday", starts_at=start, ends_at=start + timedelta(days=2),
                      actor=Actor.cli())
    count = FreezeWindow.objects.count()
    page.goto(f"{live_server.url}/freeze-windows/")
    asked = []

    def decline(dialog):
        asked.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", decline)
    page.locator("form[data-confirm] button").first.click()
    page.wait_for_timeout(300)
    assert asked == ["Remove this?"] and FreezeWindow.objects.count() == count

    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        page.locator("form[data-confirm] button").first.click()
    assert FreezeWindow.objects.count() == count - 1
