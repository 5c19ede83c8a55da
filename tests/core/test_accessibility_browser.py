"""Every page for people who use a keyboard, a screen reader or a phone, in a real Chromium:
axe-core (bundled by axe-playwright-python) finds no violation of any impact, a skip link
leads to the content, and at 390 px the navigation folds away and Escape closes it."""

from urllib.parse import urljoin, urlsplit

import pytest

from tests.factories import make_release
from tests.support.pages import sign_in
from tminus.core.demo_loader import demo_load

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PAGE_LIMIT = 60
# Links that change state, download a file, leave the pages or are not T-Minus' own pages.
SKIP = ("/accounts/logout", "/admin/", "export.", ".ics", ".csv", ".md", "/notes.", "/download",
        "/api/")
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


@pytest.fixture(autouse=True)
def _allow_sync_orm_under_playwright(monkeypatch):
    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls are
    # still synchronous, so Django's async guard must be told it is safe here.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def _links(page, base: str) -> list[str]:
    hrefs = page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
    found = []
    for href in hrefs:
        url = urljoin(base, href).split("#")[0]
        if url.startswith(base) and not any(part in url for part in SKIP):
            found.append(url)
    return found


def test_every_page_has_no_accessibility_violation_of_any_impact(browser, live_server,
                                                                 admin_user):
    from axe_playwright_python.sync_playwright import Axe

    from tminus.releases.models import Release

    demo_load()
    axe = Axe()
    page = sign_in(browser, live_server, admin_user)
    base = live_server.url
    release = Release.objects.get(key="layby-1.0")
    queue = [f"{base}/releases/{release.key}/", f"{base}/", f"{base}/accounts/login/",
             f"{base}/accounts/", f"{base}/accounts/new"]
    seen, problems = set(), []
    while queue and len(seen) < PAGE_LIMIT:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        response = page.goto(url)
        if response is None or response.status >= 400:
            continue
        for violation in axe.run(page).response["violations"]:
            nodes = ", ".join(node["html"][:80] for node in violation["nodes"][:3])
            problems.append(f"{urlsplit(url).path}: {violation['id']} "
                            f"({violation['impact']}) {nodes}")
        queue += [link for link in _links(page, base) if link not in seen]

    assert len(seen) >= 30, f"only {len(seen)} pages were reached"
    assert not problems, "\n".join(problems)


def test_skip_link_is_the_first_stop_of_the_keyboard_and_leads_to_the_content(
        browser, live_server, viewer):
    page = sign_in(browser, live_server, viewer)

    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    page.keyboard.press("Enter")

    assert focused == "Skip to content"
    assert page.evaluate("document.activeElement.id") == "main"


def test_on_a_phone_the_navigation_folds_and_escape_closes_it(browser, live_server, manager):
    release = make_release()
    page = sign_in(browser, live_server, manager, **PHONE)
    page.goto(f"{live_server.url}/releases/{release.key}/")
    nav = page.locator("#site-nav")
    assert not nav.is_visible()

    page.click(".nav-toggle")
    assert nav.is_visible()
    assert page.get_attribute(".nav-toggle", "aria-expanded") == "true"
    page.keyboard.press("Escape")

    assert not nav.is_visible()
    assert page.evaluate("document.activeElement.className") == "nav-toggle"


@pytest.mark.parametrize("path", ["/", "/releases/{key}/", "/releases/{key}/?tab=history",
                                  "/reports/weekly/"])
def test_on_a_phone_no_page_is_wider_than_the_screen(browser, live_server, manager, path):
    release = make_release()
    page = sign_in(browser, live_server, manager, **PHONE)

    page.goto(live_server.url + path.format(key=release.key))

    assert page.evaluate("document.documentElement.scrollWidth") <= 390
