"""The release page in a real headless Chromium: every panel gets its data, controls that can
hurt ask first, and what the page did is recorded and said."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import make_release
from tests.support.pages import sign_in
from tminus.audit.models import AuditEvent
from tminus.core.actors import Actor
from tminus.plans import services as plan_services
from tminus.releases import services
from tminus.releases.models import Release

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PLAN = b"""# Payments Release Plan

**Go-Live Date**: 2027-03-01

## Milestones

| Milestone | Date | Owner |
|---|---|---|
| Go-live | 2027-03-01 | Release manager |

## Checklist

- [ ] Release notes written, see [the guide](https://example.com/guide)
"""


@pytest.fixture(autouse=True)
def _allow_sync_orm_under_playwright(monkeypatch):
    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls are
    # still synchronous, so Django's async guard must be told it is safe here.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def test_plan_document_panel_links_every_export_and_says_where_the_plan_came_from(
        browser, live_server, manager):
    plan_services.plan_import(data=PLAN, source_name="payments.md", product_key="pay",
                              release_key="pay-1", actor=Actor.cli())
    page = sign_in(browser, live_server, manager)

    page.goto(f"{live_server.url}/releases/pay-1/")
    panel = page.locator(".panel-plan-document")

    assert "Imported from payments.md" in panel.inner_text()
    with page.expect_download() as download:
        panel.locator("a", has_text="Markdown").click()
    assert download.value.suggested_filename.endswith(".md")
    link = page.locator("li.item .text a", has_text="the guide")
    assert link.get_attribute("href") == "https://example.com/guide"


def test_moving_go_live_in_the_page_moves_planning_start_and_the_go_live_milestone(
        browser, live_server, manager):
    plan_services.plan_import(data=PLAN, source_name="payments.md", product_key="pay",
                              release_key="pay-1", actor=Actor.cli())
    page = sign_in(browser, live_server, manager)
    page.goto(f"{live_server.url}/releases/pay-1/")

    page.fill("#id_go_live", "2027-02-22")
    page.click("button:has-text('Move go-live')")
    page.wait_for_selector(".message.success")

    milestones = page.locator("table.compact", has_text="Milestone").inner_text()
    assert "2027-02-22" in milestones and "2027-03-01" not in milestones
    assert page.locator("svg.timeline").count() == 1


def test_move_to_defaults_to_the_next_step_and_a_step_back_asks_first(
        browser, live_server, manager):
    release = make_release(name="Checkout", go_live=timezone.localdate() + timedelta(days=30))
    services.release_transition(release=release, to_status="development", actor=Actor.cli())
    page = sign_in(browser, live_server, manager)
    page.goto(f"{live_server.url}/releases/{release.key}/")
    assert page.input_value("#transition-status") == "testing"

    page.select_option("#transition-status", "planning")
    dialogs = []
    page.once("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.click("button:has-text('Change status')")
    page.wait_for_timeout(300)
    assert dialogs == ["Move this release back to planning?"]
    assert Release.objects.get(pk=release.pk).status == "development"

    page.select_option("#transition-status", "testing")
    page.click("button:has-text('Change status')")
    page.wait_for_selector(".message.success")
    assert "Checkout moved from Development to Testing." in page.inner_text(".messages")


def test_a_tick_in_the_page_is_recorded_as_web_and_history_names_the_person(
        browser, live_server, contributor):
    release = make_release(go_live=timezone.localdate() + timedelta(days=30))
    page = sign_in(browser, live_server, contributor)
    page.goto(f"{live_server.url}/releases/{release.key}/")

    before = page.inner_text("#release-progress-text")
    page.locator("li.item input.tick").first.check()
    page.wait_for_function(
        "before => document.getElementById('release-progress-text').textContent !== before",
        arg=before)

    event = AuditEvent.objects.get(action="checklist_item.update")
    assert event.interface == "web"
    page.goto(f"{live_server.url}/releases/{release.key}/?tab=history")
    page.select_option("#history-kind", "releases.checklistitem")
    page.click(".history-filters button")
    rows = page.locator("table.history tbody tr")
    assert rows.count() == 1
    text = rows.first.inner_text()
    assert "Checklist item changed" in text and "Web" in text
    assert "To do → Done" in text and contributor.username in text
