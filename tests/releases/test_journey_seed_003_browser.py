"""Seed 003 from import to close-out in a real headless Chromium, through the pages alone.

A release manager imports the plan, brings in the people, assigns every item, sets and moves
go-live, holds the go/no-go with each approver voting in their own browser, runs deployment day,
closes the release and exports the live plan; every figure the pages show agrees with the data.
"""

from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.factories import UserFactory
from tests.support.pages import sign_in
from tminus.accounts.roles import CONTRIBUTOR, RELEASE_MANAGER, VIEWER
from tminus.readiness.models import GoNoGoVote
from tminus.releases.models import ChecklistItem, ChecklistSection, Milestone, Release
from tminus.runbooks.models import StepRun

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SEED = Path(__file__).resolve().parents[1] / "plans" / "seeds" / "003_1cddc077ad217729.txt"


@pytest.fixture(autouse=True)
def _allow_sync_orm_under_playwright(monkeypatch):
    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls are
    # still synchronous, so Django's async guard must be told it is safe here.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


class Journey:
    """The browser windows of everyone taking part, each in its own context."""

    def __init__(self, browser, live_server):
        self.browser, self.live_server, self.url, self.pages = (
            browser, live_server, live_server.url, [])

    def sign_in(self, user):
        page = sign_in(self.browser, self.live_server, user)
        page.on("dialog", lambda dialog: dialog.accept())  # the confirmations a person accepts
        self.pages.append(page)
        return page

    def close(self):
        for page in self.pages:
            page.context.close()


@pytest.fixture
def journey(browser, live_server):
    journey = Journey(browser, live_server)
    yield journey
    journey.close()


def _import(page, url):
    page.goto(f"{url}/plans/import")
    page.set_input_files("input[name=file]", str(SEED))
    page.click("form[enctype] button[type=submit]")
    page.wait_for_selector("#import-records")
    page.click("#commit-import")
    page.wait_for_selector("#release-status")
    return Release.objects.get()


def _add_person(page, url, name, account):
    page.goto(f"{url}/people/new")
    page.fill("#id_name", name)
    page.select_option("#id_user", account)
    page.click("main form button[type=submit]")
    page.wait_for_selector(".messages :text('Person added.')")


def _add_approver(page, url, release, name):
    page.goto(f"{url}/releases/{release.key}/stakeholders/new")
    page.select_option("#id_person", label=name)
    page.check("#id_is_approver")
    page.click("main form button[type=submit]")
    page.wait_for_selector(f"td:has-text('{name}')")


def _move_go_live(page, url, release, day, reason):
    page.goto(f"{url}/releases/{release.key}/")
    page.fill("#id_go_live", day.isoformat())
    page.fill("input[name=reason][aria-label='Why go-live moves']", reason)
    page.click("button:has-text('Move go-live')")
    page.wait_for_selector(f".messages :text('Go-live moved to {day.isoformat()}')")


def _edit(page, selector, value):
    page.click(f"{selector} .edit-button")
    page.fill(f"{selector} [name=value]", value)
    page.click(f"{selector} button[type=submit]")
    page.wait_for_selector(f"span{selector}")


def _bulk(page, action):
    with page.expect_response(lambda response: "/plan/items/bulk" in response.url) as sent:
        page.click(f"#bulk-form button[value={action}]")
    assert sent.value.status == 200, sent.value.text()
    page.wait_for_selector("#bulk-form .bulk-count")


def test_it_takes_seed_003_from_import_to_close_out(journey):
    url = journey.url
    manager = UserFactory(username="rita", display_name="Rita Manager", role=RELEASE_MANAGER)
    UserFactory(username="olga", display_name="Olga Owner", role=CONTRIBUTOR)
    approvers = [UserFactory(username=n.split()[0].lower(), display_name=n, role=VIEWER)
                 for n in ("Ana Approver", "Ben Approver")]
    page = journey.sign_in(manager)

    release = _import(page, url)
    for name in ("Olga Owner", "Ana Approver", "Ben Approver"):
        _add_person(page, url, name, name.split()[0].lower())
    for name in ("Ana Approver", "Ben Approver"):
        _add_approver(page, url, release, name)

    # Go-live: set it, plan a milestone by offset, then move go-live a week: the milestone follows.
    today = date.today()
    _move_go_live(page, url, release, today + timedelta(days=7), "Date agreed")
    page.fill("#add-milestone", "Go/no-go meeting")
    page.click("#plan-timeline form.add-part:has(#add-milestone) button")
    page.wait_for_selector("#milestones .value:text-is('Go/no-go meeting')")
    milestone = Milestone.objects.get(release=release, name="Go/no-go meeting")
    _edit(page, f"#f-milestone-{milestone.pk}-date", "T-3d")
    go_live = today + timedelta(days=14)
    _move_go_live(page, url, release, go_live, "Training runs late")
    assert go_live.isoformat() in page.inner_text(f"#f-release-{release.pk}-go_live")
    shown = page.inner_text(f"#f-milestone-{milestone.pk}-date")
    assert (go_live - timedelta(days=3)).isoformat() in shown

    # Every item gets an owner: select them all, assign; the pre-deployment checks are ticked.
    page.check("#bulk-all")
    page.fill("#bulk-owner", "Olga Owner")
    _bulk(page, "assign")
    assert not ChecklistItem.objects.filter(release=release, owner=None).exists()
    assert ChecklistItem.objects.filter(release=release).count() == 163
    verification = ChecklistSection.objects.get(release=release,
                                                title="Pre-Deployment Verification")
    page.check(f"#section-{verification.pk} input.select-section")
    _bulk(page, "tick")
    # The go/no-go also checks the appendix's "Training completed": ticked on its own.
    for tick in page.locator("li.item.status-todo input.tick[aria-label='Done: Training completed']"
                             ).all():
        with page.expect_response(lambda response: "/checklist-items/" in response.url) as sent:
            tick.check()
        assert sent.value.ok
    done = ChecklistItem.objects.filter(release=release, status="done").count()
    assert page.inner_text("#release-progress-text") == f"{done}/163"

    # Planning to ready, one step at a time: "Move to" offers the next step first.
    for label in ("Development", "Testing", "Staging", "Ready"):
        assert page.locator("#transition-status option").first.inner_text() == label
        page.click("button:has-text('Change status')")
        page.wait_for_selector(f"#release-status:has-text('{label}')")

    # The go/no-go: each approver signs in in their own browser and votes Go.
    for approver in approvers:
        own = journey.sign_in(approver)
        own.goto(f"{url}/releases/{release.key}/readiness/")
        own.select_option("#votes select[name=vote]", "go")
        own.click("#votes button:has-text('Record vote')")
        own.wait_for_selector(f"#votes td:has-text('{approver.display_name}')")
    assert {(v.recorded_by.username, v.vote) for v in GoNoGoVote.objects.all()} == {
        ("ana", "go"), ("ben", "go")}
    page.goto(f"{url}/releases/{release.key}/readiness/")
    page.click("summary:has-text('Record the decision')")
    page.select_option("#id_outcome", "go")
    page.click("button:has-text('Record decision')")
    page.wait_for_selector(".decision summary:has-text('Go')")

    # Deployment day on production: the version it records there is set first. Start the
    # run, tick every step of its first phase, finish: live.
    page.goto(f"{url}/releases/{release.key}/")
    _edit(page, f"#f-release-{release.pk}-version", "1.0")
    page.goto(f"{url}/releases/{release.key}/runbook/")
    page.fill("#id_environment", "production")
    page.click("button:has-text('Start the deployment')")
    page.wait_for_selector("[data-run=status]:has-text('Running')")
    first_phase = page.locator("[id^=phase-]").first
    steps = first_phase.locator("[id^=step-]")
    for index in range(steps.count()):
        row = first_phase.locator("[id^=step-]").nth(index)
        row.locator(".when-pending button:has-text('Start')").click()
        row = first_phase.locator("[id^=step-]").nth(index)
        row.locator("button[value=succeeded]").click()
    page.click("button:has-text('Finish: release is live')")
    page.wait_for_selector("[data-run=status]:has-text('Succeeded')")
    run_steps = StepRun.objects.filter(run__release=release)
    ticked = run_steps.filter(status="succeeded").count()
    assert ticked == steps.count() > 0
    assert page.inner_text("[data-run=counts]") == f"{ticked}/{run_steps.count()} steps done"
    release.refresh_from_db()
    assert release.status == "live"
    assert release.product.environments.get(key="production").current_version == "1.0"

    # The numbers while it is live: the weekly report and the portfolio agree with the data.
    totals = _checklist_counts(release)
    page.goto(f"{url}/reports/weekly/")
    row = page.locator("tr", has=page.locator(f"a:has-text('{release.name}')"))
    cells = row.locator("td").all_inner_texts()
    assert cells[4] == f"{totals['done']}/{totals['total']}"
    assert cells[6] == str(totals["overdue"]) and totals["overdue"] > 0
    page.goto(f"{url}/")
    row = page.locator("tr", has=page.locator(f"a:has-text('{release.name}')"))
    assert f"{totals['done']}/{totals['total']}" in row.inner_text()

    # Close-out, then the live plan through the page's export links.
    page.goto(f"{url}/releases/{release.key}/")
    page.select_option("#transition-status", "closed")
    page.click("button:has-text('Change status')")
    page.wait_for_selector("#release-status:has-text('Closed')")
    exported = _export(page, "JSON")
    items = [i for section in exported["checklists"] for i in _walk(section["items"])]
    assert len(items) == 163 and all(i.get("owner") == "olga" for i in items)
    assert sum(i["status"] in ("done", "skipped") for i in items) == totals["done"]
    assert exported["release"]["go_live"] == go_live.isoformat()
    assert exported["release"]["status"] == "closed"
    markdown = _export(page, "Markdown")
    assert f"**Go-Live Date**: {go_live.isoformat()}" in markdown
    assert page.inner_text("#release-progress-text") == f"{totals['done']}/{totals['total']}"


def _checklist_counts(release):
    from tminus.releases.selectors import with_progress

    counted = with_progress([Release.objects.get(pk=release.pk)])[0]
    return {"total": counted.item_total, "done": counted.item_done,
            "overdue": counted.item_overdue}


def _walk(items):
    for item in items:
        yield item
        yield from _walk(item.get("children", []))


def _export(page, label):
    href = page.get_attribute(f".panel-plan-document a:text-is('{label}')", "href")
    response = page.context.request.get(page.url.split("/releases/")[0] + href)
    assert response.ok
    return response.json() if label == "JSON" else response.text()
