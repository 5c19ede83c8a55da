"""The close-out review in a real headless Chromium: naming who signs and editing the notes."""

import pytest

from tests.outcomes.conftest import live_release
from tests.support.pages import sign_in
from tminus.core.actors import Actor
from tminus.reports import services as report_services
from tminus.reports.models import ReleaseNotes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _allow_sync_orm_under_playwright(monkeypatch):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def test_manager_names_who_signs_a_role_on_the_review_page(browser, live_server, manager,
                                                           viewer):
    release = live_release()
    sponsor = release.signoffs.get(role="Business Sponsor")
    page = sign_in(browser, live_server, manager)

    page.goto(f"{live_server.url}/releases/{release.key}/review/")
    row = page.locator(f"#signoff-{sponsor.pk}")
    row.locator("select[name=assignee]").select_option(viewer.username)
    row.locator("button:has-text('Name')").click()

    page.wait_for_selector(".message.success")
    assert viewer.username in page.inner_text(f"#signoff-{sponsor.pk}")
    sponsor.refresh_from_db()
    assert (sponsor.assignee, sponsor.revision) == (viewer, 2)


def test_contributor_edits_the_release_notes_in_the_page(browser, live_server, contributor):
    release = live_release()
    report_services.release_notes_generate(release=release, actor=Actor.cli())
    page = sign_in(browser, live_server, contributor)

    page.goto(f"{live_server.url}/releases/{release.key}/notes/")
    page.fill("textarea[name=body]", "# Notes\n\nWritten in the page.")
    page.click("button:has-text('Save')")

    page.wait_for_selector(".message.success")
    notes = ReleaseNotes.objects.get(release=release)
    assert (notes.body, notes.revision, notes.edited) == ("# Notes\n\nWritten in the page.", 2,
                                                          True)
