"""Reordering and bulk-editing a plan name the revision of the row the person saw: a stale one is
refused with 409, a missing one with 428, and nothing changes. Adding sections and items keeps
the rules of the one edit path (lengths, types, a message per row)."""

from datetime import date

import pytest

from tests.conftest import signed_in
from tests.releases import test_plan_editor as plan_editor
from tminus.audit.models import AuditEvent
from tminus.core.actors import Actor
from tminus.core.concurrency import REVISION_MISSING
from tminus.core.errors import Conflict, PreconditionRequired, ValidationFailed
from tminus.releases import services
from tminus.releases.models import ChecklistItem, ChecklistSection, Phase

pytestmark = pytest.mark.django_db
# The plan editor's own release: three items, First, Second and Third, in "Launch prep".
release, _items, HTMX = plan_editor.release, plan_editor._items, plan_editor.HTMX


def _texts(release):
    return [item.text for item in _items(release)]


def _stale(item):
    """The item after someone else edited it: the revision the page showed is now stale."""
    seen = item.revision
    services.checklist_item_update(item=item, revision=seen, changes={"notes": "theirs"},
                                   actor=Actor.cli())
    return seen


# ---- Reordering -----------------------------------------------------------------------------
def test_reorder_from_a_stale_revision_is_a_conflict_and_moves_nothing(release):
    first = _items(release)[0]
    seen = _stale(first)

    with pytest.raises(Conflict) as refused:
        services.release_part_reorder(part=first, direction="down", revision=seen,
                                      actor=Actor.cli())

    assert refused.value.current["revision"] == first.revision
    assert _texts(release) == ["First", "Second", "Third"]
    assert not AuditEvent.objects.filter(action="checklistitem.move").exists()


def test_reorder_without_a_revision_is_refused_and_moves_nothing(release):
    first = _items(release)[0]

    with pytest.raises(PreconditionRequired):
        services.release_part_reorder(part=first, direction="down", revision=REVISION_MISSING,
                                      actor=Actor.cli())

    assert _texts(release) == ["First", "Second", "Third"]


def test_reorder_takes_the_next_revision_of_the_moved_row(release):
    first = _items(release)[0]

    moved = services.release_part_reorder(part=first, direction="down",
                                          revision=first.revision, actor=Actor.cli())

    assert _texts(release) == ["Second", "First", "Third"]
    assert ChecklistItem.objects.get(pk=first.pk).revision == moved.revision == 2


def test_api_move_from_a_stale_revision_answers_409_and_moves_nothing(api_as, contributor,
                                                                      release):
    first = _items(release)[0]
    seen = _stale(first)
    url = f"/api/v1/releases/{release.key}/plan/item/{first.pk}/move"

    response = api_as(contributor).post(url, {"direction": "down", "revision": seen})

    assert response.status_code == 409
    assert response.json()["current"]["revision"] == seen + 1
    assert _texts(release) == ["First", "Second", "Third"]


def test_api_move_without_a_revision_answers_428_and_moves_nothing(api_as, contributor,
                                                                   release):
    first = _items(release)[0]
    url = f"/api/v1/releases/{release.key}/plan/item/{first.pk}/move"

    response = api_as(contributor).post(url, {"direction": "down"})

    assert response.status_code == 428
    assert _texts(release) == ["First", "Second", "Third"]


def test_api_move_takes_the_revision_from_if_match_and_answers_the_new_one(api_as, contributor,
                                                                          release):
    first = _items(release)[0]
    api = api_as(contributor)
    url = f"/api/v1/releases/{release.key}/plan/item/{first.pk}/move"

    response = api.client.post(url, data={"direction": "down"},
                               content_type="application/json",
                               HTTP_IF_MATCH=f'"{first.revision}"')

    assert response.status_code == 200, response.content
    assert response.json()["revision"] == first.revision + 1
    assert _texts(release) == ["Second", "First", "Third"]


def test_page_drop_from_a_stale_revision_answers_409_with_the_message(contributor, release):
    first = _items(release)[0]
    seen = _stale(first)

    response = signed_in(contributor).post(
        f"/releases/{release.key}/plan/item/{first.pk}/move",
        {"section": first.section_id, "before": "", "revision": seen}, **HTMX)

    assert response.status_code == 409
    assert "changed by someone else" in response.content.decode()
    assert _texts(release) == ["First", "Second", "Third"]


def test_page_move_without_a_revision_answers_428(manager, release):
    phase = Phase.objects.filter(release=release).order_by("order", "id").first()
    order = list(Phase.objects.filter(release=release).values_list("pk", "order"))

    response = signed_in(manager).post(
        f"/releases/{release.key}/plan/phase/{phase.pk}/move", {"direction": "down"}, **HTMX)

    assert response.status_code == 428
    assert list(Phase.objects.filter(release=release).values_list("pk", "order")) == order


def test_page_rows_carry_the_revision_that_moves_and_bulk_actions_send(contributor, release):
    first = _items(release)[0]
    section = first.section

    page = signed_in(contributor).get(f"/releases/{release.key}/").content.decode()

    assert f'data-item="{first.pk}" data-revision="{first.revision}"' in page
    assert f'name="items" value="{first.pk}:{first.revision}"' in page
    assert f'data-pk="{section.pk}" data-revision="{section.revision}"' in page


# ---- Bulk actions on the selected items --------------------------------------------------
def test_bulk_tick_with_one_stale_item_answers_409_and_changes_none(contributor, release):
    first, second, _third = _items(release)
    seen = _stale(second)

    response = signed_in(contributor).post(
        f"/releases/{release.key}/plan/items/bulk",
        {"items": [f"{first.pk}:{first.revision}", f"{second.pk}:{seen}"], "action": "tick"},
        **HTMX)

    assert response.status_code == 409
    assert {item.status for item in _items(release)} == {"todo"}


def test_bulk_remove_without_revisions_answers_428_and_removes_nothing(contributor, release):
    first, second, _third = _items(release)

    response = signed_in(contributor).post(
        f"/releases/{release.key}/plan/items/bulk",
        {"items": [first.pk, second.pk], "action": "remove"}, **HTMX)

    assert response.status_code == 428
    assert len(_items(release)) == 3


def test_bulk_remove_of_a_parent_and_its_child_removes_both_once(contributor, release):
    first, second, third = _items(release)
    ChecklistItem.objects.filter(pk=second.pk).update(parent=first)
    ChecklistItem.objects.filter(pk=third.pk).update(parent=second)
    chosen = [(item, item.revision) for item in ChecklistItem.objects.filter(
        pk__in=[first.pk, third.pk])]

    events = services.checklist_items_bulk_remove(items=chosen, actor=Actor(contributor, "web"))

    assert len(events) == 1  # the grandchild went with its grandparent, not on its own
    assert not ChecklistItem.objects.filter(pk__in=[first.pk, second.pk, third.pk]).exists()


# ---- Adding sections and items on the one edit path ----------------------------------------
def test_bulk_add_with_one_bad_row_names_the_row_and_saves_nothing(release):
    section = ChecklistSection.objects.get(release=release, title="Launch prep")
    rows = [{"text": "Fine"},
            {"text": "Parent", "children": [{"text": "x" * 501}, {"text": "ok",
                                                                   "status": "maybe"}]}]

    with pytest.raises(ValidationFailed) as refused:
        services.checklist_items_bulk_add(section=section, items=rows, actor=Actor.cli())

    assert refused.value.errors == {
        "items.1.children.0.text": ["At most 500 characters."],
        "items.1.children.1.status": [
            "Unknown status 'maybe'; use one of todo, in_progress, blocked, done, skipped."],
    }
    assert len(_items(release)) == 3


def test_bulk_add_of_a_row_whose_text_is_not_text_is_refused_not_a_server_error(release):
    section = ChecklistSection.objects.get(release=release, title="Launch prep")

    with pytest.raises(ValidationFailed) as refused:
        services.checklist_items_bulk_add(section=section, items=[{"text": 5,
                                                                   "responsible": 7}],
                                          actor=Actor.cli())

    assert refused.value.errors == {"items.0.text": ["Send text here."],
                                    "items.0.responsible": ["Send text here."]}


def test_api_item_add_with_too_long_text_answers_422(api_as, contributor, release):
    section = ChecklistSection.objects.get(release=release, title="Launch prep")

    response = api_as(contributor).post(f"/api/v1/checklist-sections/{section.pk}/items",
                                        {"text": "x" * 501})

    assert response.status_code == 422
    assert response.json()["errors"] == {"text": ["At most 500 characters."]}
    assert len(_items(release)) == 3


def test_api_section_add_with_too_long_title_answers_422_not_500(api_as, contributor, release):
    response = api_as(contributor).post(f"/api/v1/releases/{release.key}/checklists",
                                        {"title": "x" * 301})

    assert response.status_code == 422
    assert response.json()["errors"] == {"title": ["At most 300 characters."]}
    assert not ChecklistSection.objects.filter(title__startswith="xxx").exists()


def test_section_rename_to_a_too_long_title_is_refused_per_field(release):
    section = ChecklistSection.objects.get(release=release, title="Launch prep")

    with pytest.raises(ValidationFailed) as refused:
        services.checklist_section_update(section=section, changes={"title": "x" * 301},
                                          revision=section.revision, actor=Actor.cli())

    assert refused.value.errors == {"title": ["At most 300 characters."]}
    assert ChecklistSection.objects.get(pk=section.pk).title == "Launch prep"


def test_section_added_at_an_offset_is_dated_from_go_live_and_audited(release):
    section = services.checklist_section_add(release=release, title=" Cutover ", due_offset=-2,
                                             actor=Actor.cli())

    assert (section.title, section.due_date) == ("Cutover", date(2030, 5, 30))
    assert AuditEvent.objects.get(action="checklist_section.add").after["title"] == "Cutover"
