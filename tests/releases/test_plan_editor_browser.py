"""The plan editor in a real headless Chromium: every edit happens in place, without a reload."""

from datetime import date

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD, UserFactory, make_release
from tminus.audit.models import AuditEvent
from tminus.core.actors import Actor
from tminus.releases import services
from tminus.releases.models import ChecklistItem, ChecklistSection, Milestone, Phase, ScopeItem

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _allow_sync_orm_under_playwright(monkeypatch):
    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls are
    # still synchronous, so Django's async guard must be told it is safe here.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def release(db):
    release = make_release(go_live=date(2030, 6, 1), key="shop-1")
    ChecklistSection.objects.filter(release=release).delete()
    section = ChecklistSection.objects.create(release=release, title="Launch prep")
    for order, text in enumerate(["First", "Second", "Third"]):
        ChecklistItem.objects.create(release=release, section=section, text=text, order=order)
    return release


@pytest.fixture
def page(browser, live_server, manager, release):
    context = browser.new_context()
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", manager.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("h1:has-text('Portfolio')")
    page.goto(f"{live_server.url}/releases/{release.key}/")
    page.evaluate("window.__sameDocument = true")  # gone if anything reloads the page
    yield page
    assert page.evaluate("window.__sameDocument === true"), "the page reloaded"
    assert not page.errors
    context.close()


def _item(text):
    return ChecklistItem.objects.get(text=text)


def _row(page, text):
    return page.locator("li.item", has=page.locator(f".field-text .value:text-is('{text}')"))


def _edit(page, selector, value):
    page.click(f"{selector} .edit-button")
    editor = page.locator(f"form.inline-editor{selector.replace('#', '#') }")
    page.fill(f"{selector} [name=value]", value)
    page.click(f"{selector} button[type=submit]")
    editor.wait_for(state="detached")


def test_item_text_with_markdown_link_is_edited_in_place(page):
    item = _item("First")
    _edit(page, f"#f-item-{item.pk}-text", "Read [the runbook](https://example.org/rb)")
    link = page.locator(f"#f-item-{item.pk}-text a")
    assert link.get_attribute("href") == "https://example.org/rb"
    assert _item("Read [the runbook](https://example.org/rb)").pk == item.pk
    event = AuditEvent.objects.get(action="checklist_item.update")
    assert event.interface == "web"


def test_item_owner_is_picked_by_typing_a_name_and_due_by_offset(page):
    dana = UserFactory(username="dana", display_name="Dana Scully")
    item = _item("Second")
    _edit(page, f"#f-item-{item.pk}-owner", "Dana Scully")
    assert "Dana Scully" in page.inner_text(f"#f-item-{item.pk}-owner")
    _edit(page, f"#f-item-{item.pk}-due", "T-7d")
    assert "2030-05-25" in page.inner_text(f"#f-item-{item.pk}-due")
    _edit(page, f"#f-item-{item.pk}-notes", "Ask ops first")
    item.refresh_from_db()
    assert (item.owner, item.due_offset, item.notes) == (dana, -7, "Ask ops first")


def test_escape_closes_the_editor_without_saving(page):
    item = _item("Third")
    page.click(f"#f-item-{item.pk}-text .edit-button")
    page.fill(f"#f-item-{item.pk}-text [name=value]", "Not saved")
    page.press(f"#f-item-{item.pk}-text [name=value]", "Escape")
    page.wait_for_selector(f"span#f-item-{item.pk}-text")
    assert _item("Third").pk == item.pk


def test_unknown_owner_shows_the_message_beside_the_field(page):
    item = _item("First")
    page.click(f"#f-item-{item.pk}-owner .edit-button")
    page.fill(f"#f-item-{item.pk}-owner [name=value]", "Nobody Here")
    page.click(f"#f-item-{item.pk}-owner button[type=submit]")
    page.wait_for_selector(f"#f-item-{item.pk}-owner .field-error")
    assert "No one called" in page.inner_text(f"#f-item-{item.pk}-owner .field-error")


def test_conflict_shows_theirs_beside_mine_and_applies_mine_on_top(page, contributor):
    item = _item("First")
    page.click(f"#f-item-{item.pk}-text .edit-button")
    page.wait_for_selector(f"form#f-item-{item.pk}-text [name=value]")  # opened at this revision
    services.checklist_item_update(item=item, revision=item.revision,
                                   changes={"text": "Their words"}, actor=Actor(contributor,
                                                                                "web"))
    page.fill(f"#f-item-{item.pk}-text [name=value]", "My words")
    page.click(f"#f-item-{item.pk}-text button[type=submit]")
    conflict = page.locator(f"#f-item-{item.pk}-text .conflict")
    conflict.wait_for()
    assert "Their words" in conflict.inner_text() and "My words" in conflict.inner_text()
    assert contributor.username in conflict.inner_text()
    page.click(f"#f-item-{item.pk}-text button:has-text('Apply mine on top')")
    page.wait_for_selector(f"span#f-item-{item.pk}-text")
    item.refresh_from_db()
    assert item.text == "My words"


def test_items_are_added_removed_and_brought_back_with_undo(page):
    section = ChecklistSection.objects.get(title="Launch prep")
    page.fill(f"#add-item-{section.pk}", "Fourth")
    page.click(f"#section-{section.pk} button:has-text('Add item')")
    page.wait_for_selector(".field-text .value:text-is('Fourth')")
    second = _item("Second")
    _row(page, "Second").locator("input.select").check()
    page.click("#bulk-form button[value=remove]")
    page.wait_for_selector(".undo")
    assert not ChecklistItem.objects.filter(pk=second.pk).exists()
    page.click(".undo button:has-text('Undo')")
    page.wait_for_selector(".field-text .value:text-is('Second')")
    texts = page.locator("li.item .field-text .value").all_inner_texts()
    assert texts == ["First", "Second", "Third", "Fourth"]


def test_keyboard_moves_and_nests_items(page):
    first, second = _item("First"), _item("Second")
    _row(page, "First").locator("button.handle").focus()
    page.keyboard.press("Alt+ArrowDown")
    page.wait_for_selector("li.item:first-child .field-text .value:text-is('Second')")
    page.wait_for_selector(f"#item-{first.pk} button.handle:focus")
    page.keyboard.press("Alt+ArrowRight")
    page.wait_for_selector(f"#item-{first.pk}.depth-1")
    page.wait_for_selector(f"#item-{first.pk} button.handle:focus")
    assert _item("First").parent_id == second.pk
    page.keyboard.press("Alt+ArrowLeft")
    page.wait_for_selector(f"#item-{first.pk}.depth-0")
    page.wait_for_selector(f"#item-{first.pk} button.handle:focus")
    assert _item("First").parent_id is None


def test_keyboard_move_of_an_item_works_in_a_release_keyed_zero(page, live_server):
    # The move URL is a pattern with 0 for the item's id; the key "0" must stay the key.
    zero = make_release(go_live=date(2030, 6, 1), key="0")
    ChecklistSection.objects.filter(release=zero).delete()
    section = ChecklistSection.objects.create(release=zero, title="Zero prep")
    for order, text in enumerate(["Zero one", "Zero two"]):
        ChecklistItem.objects.create(release=zero, section=section, text=text, order=order)
    page.goto(f"{live_server.url}/releases/0/")
    page.evaluate("window.__sameDocument = true")

    _row(page, "Zero one").locator("button.handle").focus()
    page.keyboard.press("Alt+ArrowDown")

    page.wait_for_selector("li.item:first-child .field-text .value:text-is('Zero two')")
    assert _item("Zero one").order > _item("Zero two").order


def test_own_edits_in_place_do_not_make_the_next_move_or_bulk_tick_look_stale(page):
    first = _item("First")
    _edit(page, f"#f-item-{first.pk}-text", "First, renamed")
    _row(page, "First, renamed").locator("select.item-status").select_option("in_progress")
    expect(page.locator(f"#item-{first.pk}")).to_have_class(_status("in_progress"))
    _row(page, "First, renamed").locator("button.handle").focus()
    page.keyboard.press("Alt+ArrowDown")
    page.wait_for_selector("li.item:first-child .field-text .value:text-is('Second')")
    assert [i.text for i in ChecklistItem.objects.order_by("order", "id")] == [
        "Second", "First, renamed", "Third"]

    _edit(page, f"#f-item-{first.pk}-notes", "Ask ops")
    page.check(f"#item-{first.pk} input.select")
    page.click("#bulk-form button[value=tick]")
    expect(page.locator(f"#item-{first.pk}")).to_have_class(_status("done"))
    assert _item("First, renamed").status == "done"


def _status(status):
    import re

    return re.compile(rf"\bstatus-{status}\b")


def test_a_move_from_a_page_someone_else_changed_since_is_refused_and_moves_nothing(
        page, contributor):
    first = _item("First")
    services.checklist_item_update(item=first, revision=first.revision,
                                   changes={"notes": "Theirs"}, actor=Actor(contributor, "web"))
    _row(page, "First").locator("button.handle").focus()
    page.keyboard.press("Alt+ArrowDown")
    expect(page.locator("#plan-checklists .callout.error")).to_contain_text(
        "changed by someone else")
    assert [i.text for i in ChecklistItem.objects.order_by("order", "id")] == [
        "First", "Second", "Third"]


def test_dragging_an_item_drops_it_before_another(page):
    _row(page, "Third").locator("button.handle").drag_to(_row(page, "First"))
    page.wait_for_selector("li.item:first-child .field-text .value:text-is('Third')")
    order = [i.text for i in ChecklistItem.objects.order_by("order", "id")]
    assert order == ["Third", "First", "Second"]


def _two_sections(release):
    ChecklistSection.objects.create(release=release, title="Go-live day", order=1)


def _section_titles(release):
    return [s.title for s in ChecklistSection.objects.filter(release=release)
            .order_by("order", "id")]


def _wait_for_position(page, rows: str, row_id: str, index: int):
    """Wait until the re-rendered block shows the row at index (the answer has been swapped in:
    the focus alone proves nothing, the grip had it before the key was pressed)."""
    page.wait_for_function(
        "([rows, id, index]) => { const all = document.querySelectorAll(rows);"
        " return all.length > index && all[index].id === id; }", arg=[rows, row_id, index])


def _phase_names(release):
    return [p.name for p in Phase.objects.filter(release=release).order_by("order", "id")]


def test_dragging_a_section_drops_it_before_another(page, release, live_server):
    _two_sections(release)
    page.reload()
    page.evaluate("window.__sameDocument = true")
    moved = ChecklistSection.objects.get(title="Go-live day")

    page.locator(f"#section-{moved.pk} button.part-handle").drag_to(
        page.locator(".section").first)

    _wait_for_position(page, ".section", f"section-{moved.pk}", 0)
    assert _section_titles(release) == ["Go-live day", "Launch prep"]
    assert AuditEvent.objects.filter(action="checklistsection.move", interface="web").exists()


def test_keyboard_moves_a_section_and_keeps_the_focus_on_its_grip(page, release):
    _two_sections(release)
    page.reload()
    page.evaluate("window.__sameDocument = true")
    first = ChecklistSection.objects.get(title="Launch prep")

    page.locator(f"#section-{first.pk} button.part-handle").focus()
    page.keyboard.press("Alt+ArrowDown")

    _wait_for_position(page, ".section", f"section-{first.pk}", 1)
    page.wait_for_selector(f"#section-{first.pk} button.part-handle:focus")
    assert _section_titles(release) == ["Go-live day", "Launch prep"]
    page.keyboard.press("Alt+ArrowUp")
    _wait_for_position(page, ".section", f"section-{first.pk}", 0)
    assert _section_titles(release) == ["Launch prep", "Go-live day"]


def test_phases_move_by_drag_and_by_keyboard(page, release):
    names = _phase_names(release)
    last = Phase.objects.get(release=release, name=names[-1])

    page.locator(f"#phase-{last.pk} button.part-handle").drag_to(
        page.locator("#phases tbody tr").first)
    _wait_for_position(page, "#phases tbody tr", f"phase-{last.pk}", 0)
    assert _phase_names(release) == [names[-1], *names[:-1]]

    page.locator(f"#phase-{last.pk} button.part-handle").focus()
    page.keyboard.press("Alt+ArrowDown")
    _wait_for_position(page, "#phases tbody tr", f"phase-{last.pk}", 1)
    page.wait_for_selector(f"#phase-{last.pk} button.part-handle:focus")
    assert _phase_names(release) == [names[0], names[-1], *names[1:-1]]
    assert AuditEvent.objects.filter(action="phase.move", interface="web").count() == 2


def test_selection_is_bulk_assigned_and_ticked(page):
    UserFactory(username="dana")
    first = _item("First").pk
    for text in ("First", "Third"):
        _row(page, text).locator("input.select").check()
    assert "2 selected" in page.inner_text("#bulk-form .bulk-count")
    page.fill("#bulk-owner", "dana")
    page.click("#bulk-form button[value=assign]")
    page.wait_for_selector(f"#f-item-{first}-owner .value:has-text('dana')")
    for text in ("First", "Second"):
        _row(page, text).locator("input.select").check()
    second = _item("Second").pk
    page.click("#bulk-form button[value=tick]")
    page.wait_for_selector(f"#item-{second}.status-done")
    state = {i.text: (i.owner.username if i.owner else None, i.status)
             for i in ChecklistItem.objects.all()}
    assert state == {"First": ("dana", "done"), "Second": (None, "done"),
                     "Third": ("dana", "todo")}


def test_a_section_box_selects_its_items_and_all_items_selects_every_section(page, release):
    UserFactory(username="dana")
    other = ChecklistSection.objects.create(release=release, title="Aftercare")
    ChecklistItem.objects.create(release=release, section=other, text="Watch", order=0)
    page.reload()  # the fixture's page was drawn before the second section existed
    page.wait_for_load_state("load")
    page.evaluate("window.__sameDocument = true")
    launch = ChecklistSection.objects.get(title="Launch prep")

    page.check(f"#section-{launch.pk} input.select-section")
    expect(page.locator("#bulk-form .bulk-count")).to_have_text("3 selected:")
    assert not _row(page, "Watch").locator("input.select").is_checked()
    page.fill("#bulk-owner", "dana")
    page.click("#bulk-form button[value=assign]")
    page.wait_for_selector(f"#f-item-{_item('Third').pk}-owner .value:has-text('dana')")
    owners = dict(ChecklistItem.objects.values_list("text", "owner__username"))
    assert owners == {"First": "dana", "Second": "dana", "Third": "dana", "Watch": None}

    page.check("#bulk-all")
    expect(page.locator("#bulk-form .bulk-count")).to_have_text("4 selected:")
    page.uncheck("#bulk-all")
    expect(page.locator("#bulk-form .bulk-count")).to_have_text("0 selected:")


def test_sections_are_added_renamed_and_removed(page):
    page.fill("#add-section", "Go-live day")
    page.click("#plan-checklists form.add-part:has(#add-section) button")
    page.wait_for_selector(".section :is(h3, h4) .value:text-is('Go-live day')")
    section = ChecklistSection.objects.get(title="Go-live day")
    _edit(page, f"#f-section-{section.pk}-title", "Deployment day")
    _edit(page, f"#f-section-{section.pk}-due", "T-0")
    section.refresh_from_db()
    assert (section.title, section.due_date) == ("Deployment day", date(2030, 6, 1))
    page.click(f"#section-{section.pk} button.remove")
    page.wait_for_selector(".undo")
    assert not ChecklistSection.objects.filter(pk=section.pk).exists()


def test_phases_milestones_and_overview_are_edited_in_place(page, release):
    page.fill("#add-phase", "Hardening")
    page.click("#plan-timeline form.add-part:has(#add-phase) button")
    page.wait_for_selector("#phases .value:text-is('Hardening')")
    phase = Phase.objects.get(name="Hardening", release=release)
    _edit(page, f"#f-phase-{phase.pk}-start", "T-14d")
    _edit(page, f"#f-phase-{phase.pk}-end", "2030-05-30")
    phase.refresh_from_db()
    assert (phase.start_date, phase.start_offset, phase.end_date) == (
        date(2030, 5, 18), -14, date(2030, 5, 30))

    milestone = Milestone.objects.filter(release=release).first()
    _edit(page, f"#f-milestone-{milestone.pk}-date", "2030-05-01")
    _edit(page, f"#f-milestone-{milestone.pk}-responsible", "Branch Manager")
    milestone.refresh_from_db()
    assert (milestone.date, milestone.responsible) == (date(2030, 5, 1), "Branch Manager")

    _edit(page, f"#f-release-{release.pk}-version", "2.1")
    _edit(page, f"#f-release-{release.pk}-goal", "Faster checkout")
    release.refresh_from_db()
    assert (release.version, release.goal) == ("2.1", "Faster checkout")


def test_scope_items_are_added_edited_reordered_and_removed(page, release):
    page.fill("#add-scope", "One-click checkout")
    page.click("#plan-scope form.add-part:has(#add-scope) button")
    page.wait_for_selector("#plan-scope .value:text-is('One-click checkout')")
    item = ScopeItem.objects.get(title="One-click checkout")
    page.click(f"#f-scope-{item.pk}-status .edit-button")
    page.select_option(f"#f-scope-{item.pk}-status select", "in_progress")
    page.click(f"#f-scope-{item.pk}-status button[type=submit]")
    page.wait_for_selector(f"span#f-scope-{item.pk}-status:has-text('In progress')")
    page.click(f"#scope-{item.pk} button.remove")
    page.wait_for_selector("#plan-scope .undo")
    page.click("#plan-scope .undo button")
    page.wait_for_selector(f"#scope-{item.pk}")
    assert ScopeItem.objects.get(pk=item.pk).status == "in_progress"


def test_recent_changes_show_an_edit_made_a_moment_ago(page):
    item = _item("Third")
    _edit(page, f"#f-item-{item.pk}-text", "Third, renamed")
    page.wait_for_selector("#recent-changes li:has-text('changed checklist item')")
    assert "rita-manager" in page.inner_text("#recent-changes")


def test_risks_and_stakeholders_are_edited_in_place(page, release, live_server):
    from tminus.people import services as people
    from tminus.readiness import services as readiness

    person = people.person_create(name="Priya Patel", actor=Actor.cli())
    stakeholder = people.stakeholder_add(release=release, person=person, role="qa",
                                         actor=Actor.cli())
    risk = readiness.risk_add(release=release, description="Payment provider slow",
                              probability="low", impact="high", actor=Actor.cli())
    page.goto(f"{live_server.url}/releases/{release.key}/?tab=readiness")
    page.evaluate("window.__sameDocument = true")
    _edit(page, f"#f-risk-{risk.pk}-owner", "Priya Patel")
    _edit(page, f"#f-risk-{risk.pk}-mitigation", "Second provider on standby")
    risk.refresh_from_db()
    assert (risk.owner, risk.mitigation) == (person, "Second provider on standby")

    page.goto(f"{live_server.url}/releases/{release.key}/?tab=people")
    page.evaluate("window.__sameDocument = true")
    page.click(f"#f-stakeholder-{stakeholder.pk}-is_approver .edit-button")
    page.check(f"#f-stakeholder-{stakeholder.pk}-is_approver [name=value]")
    page.click(f"#f-stakeholder-{stakeholder.pk}-is_approver button[type=submit]")
    page.wait_for_selector(f"span#f-stakeholder-{stakeholder.pk}-is_approver:has-text('yes')")
    UserFactory(username="priya")
    _edit(page, f"#f-person-{person.pk}-user", "priya")
    person.refresh_from_db()
    stakeholder.refresh_from_db()
    assert stakeholder.is_approver and person.user.username == "priya"


def test_overview_form_conflict_shows_theirs_beside_mine(page, release, live_server):
    page.goto(f"{live_server.url}/releases/{release.key}/edit")
    services.release_update(release=release, revision=release.revision,
                            changes={"name": "Their name"}, actor=Actor.cli())
    page.fill("input[name=name]", "My name")
    page.click("button:has-text('Save')")
    page.wait_for_selector(".conflict")
    assert "Their name" in page.inner_text(".conflict .theirs")
    assert "My name" in page.inner_text(".conflict .yours")
    page.click("button:has-text('Apply mine on top')")
    page.wait_for_selector("#release-status")
    release.refresh_from_db()
    assert release.name == "My name"
    page.evaluate("window.__sameDocument = true")


def test_an_approver_with_a_viewer_account_signs_in_and_votes(browser, live_server, viewer,
                                                               release):
    from tminus.people.models import Person, Stakeholder
    from tminus.readiness.models import GoNoGoVote

    person = Person.objects.create(name="Vera Viewer", user=viewer)
    Stakeholder.objects.create(release=release, person=person, role="qa", is_approver=True)
    page = browser.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", viewer.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("h1:has-text('Portfolio')")
    page.goto(f"{live_server.url}/releases/{release.key}/readiness/")
    page.select_option("#votes select[name=vote]", "go")
    page.click("#votes button:has-text('Record vote')")
    page.wait_for_selector("#votes td:has-text('Vera Viewer')")
    vote = GoNoGoVote.objects.get()
    assert (vote.approver, vote.recorded_by, vote.vote) == (person, viewer, "go")


def test_bulk_tick_updates_the_overview_progress_in_place(page):
    second = _item("Second").pk  # read before the server writes: SQLite locks the table
    for text in ("First", "Second"):
        _row(page, text).locator("input.select").check()
    page.click("#bulk-form button[value=tick]")
    page.wait_for_selector(f"#item-{second}.status-done")
    page.wait_for_selector("#release-progress-text:text-is('2/3')")
    assert page.get_attribute("#release-progress", "value") == "2"
