"""The batch service an import adds checklist items with: a tree at once, one audit record."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import make_release
from tminus.audit.models import AuditEvent
from tminus.core.actors import Actor
from tminus.core.errors import NotAllowed, ValidationFailed
from tminus.releases import services
from tminus.releases.models import ChecklistItem

pytestmark = pytest.mark.django_db
CLI = Actor.cli()


def _section(title="Launch"):
    release = make_release(template="patch")
    return services.checklist_section_add(release=release, title=title, due_offset=-7,
                                          actor=CLI)


def _tree(count: int) -> list[dict]:
    return [{"text": f"Item {n}", "children": [{"text": f"Sub {n}", "status": "done"}]}
            for n in range(count)]


def test_bulk_add_keeps_nesting_order_state_and_section_due_offset(manager):
    section = _section()

    created = services.checklist_items_bulk_add(
        section=section, actor=Actor.cli(manager),
        items=[{"text": "Parent", "owner": manager,
                "children": [{"text": "Child", "status": "done",
                              "children": [{"text": "Grandchild"}]}]},
               {"text": "Sibling"}])

    assert [i.text for i in created] == ["Parent", "Child", "Grandchild", "Sibling"]
    parent, child, grandchild, sibling = (ChecklistItem.objects.get(pk=i.pk) for i in created)
    assert (child.parent_id, grandchild.parent_id, sibling.parent_id) == (
        parent.pk, child.pk, None)
    assert [i.text for i in section.items.all()] == ["Parent", "Child", "Grandchild", "Sibling"]
    assert child.status == "done" and child.done_by == manager and child.done_at is not None
    assert parent.owner == manager and parent.done_at is None
    assert (parent.due_offset, parent.due_date) == (-7, section.due_date)


def test_bulk_add_records_one_audit_event_for_the_batch():
    section = _section()
    before = AuditEvent.objects.count()

    services.checklist_items_bulk_add(section=section, items=_tree(3), actor=CLI)

    event = AuditEvent.objects.latest("id")
    assert AuditEvent.objects.count() == before + 1
    assert (event.action, event.release_id, event.after["count"]) == (
        "checklist_item.bulk_add", section.release_id, 6)


def test_bulk_add_runs_the_same_queries_for_2_or_20_items_per_level(django_assert_num_queries):
    small, large = _section("Small"), _section("Large")
    with CaptureQueriesContext(connection) as small_queries:
        services.checklist_items_bulk_add(section=small, items=_tree(2), actor=CLI)

    with django_assert_num_queries(len(small_queries)):
        services.checklist_items_bulk_add(section=large, items=_tree(20), actor=CLI)

    assert large.items.count() == 40


@pytest.mark.parametrize("items, field", [
    ([{"text": "Fine"}, {"text": "  "}], "items.1.text"),
    ([{"text": "Fine", "children": [{"text": "Odd", "status": "finished"}]}],
     "items.0.children.0.status"),
])
def test_bulk_add_with_one_bad_entry_adds_nothing(items, field):
    section = _section()

    with pytest.raises(ValidationFailed) as refused:
        services.checklist_items_bulk_add(section=section, items=items, actor=CLI)

    assert list(refused.value.errors) == [field]
    assert not section.items.exists()


def test_bulk_add_refuses_a_parent_from_another_section_and_a_viewer(viewer):
    section, other = _section("One"), _section("Two")
    stranger = services.checklist_item_add(section=other, text="Elsewhere", actor=CLI)

    with pytest.raises(ValidationFailed):
        services.checklist_items_bulk_add(section=section, items=_tree(1), parent=stranger,
                                          actor=CLI)
    with pytest.raises(NotAllowed):
        services.checklist_items_bulk_add(section=section, items=_tree(1),
                                          actor=Actor.cli(viewer))
    assert not section.items.exists()
