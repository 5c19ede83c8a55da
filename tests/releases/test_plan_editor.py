"""The plan editor's requests, as htmx sends them: edit a field in place, add, remove and undo,
reorder and nest, bulk-edit. Every change goes through a service, audited as made on the web."""

from datetime import date, timedelta

import pytest

from tests.conftest import signed_in
from tests.factories import UserFactory, make_release
from tminus.audit.models import AuditEvent
from tminus.core.actors import Actor
from tminus.releases import services
from tminus.releases.models import ChecklistItem, ChecklistSection, Phase

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def release(manager):
    release = make_release(go_live=date(2030, 6, 1))
    section = ChecklistSection.objects.create(release=release, title="Launch prep")
    for order, text in enumerate(["First", "Second", "Third"]):
        ChecklistItem.objects.create(release=release, section=section, text=text, order=order)
    return release


def _items(release):
    return list(ChecklistItem.objects.filter(release=release, section__title="Launch prep")
                .order_by("order", "id"))


def test_inline_editor_opens_with_the_current_value_and_revision(contributor, release):
    item = _items(release)[0]
    response = signed_in(contributor).get(f"/inline/item/{item.pk}/text", **HTMX)
    page = response.content.decode()
    assert response.status_code == 200
    assert 'value="First"' in page and f'name="revision" value="{item.revision}"' in page


def test_inline_save_changes_the_field_through_the_service_audited_as_web(contributor, release):
    item = _items(release)[0]
    response = signed_in(contributor).post(
        f"/inline/item/{item.pk}/text",
        {"value": "Read [the runbook](https://example.org/rb)", "revision": item.revision},
        **HTMX)
    item.refresh_from_db()
    assert response.status_code == 200
    assert item.text == "Read [the runbook](https://example.org/rb)"
    assert '<a rel="noopener noreferrer" href="https://example.org/rb">the runbook</a>' in (
        response.content.decode())
    event = AuditEvent.objects.get(action="checklist_item.update")
    assert event.interface == "web" and event.actor == contributor
    assert response["HX-Trigger"] == "tminus:changed"


def test_inline_due_takes_an_offset_that_then_follows_go_live(manager, release):
    item = _items(release)[0]
    client = signed_in(manager)
    client.post(f"/inline/item/{item.pk}/due", {"value": "T-5d", "revision": item.revision},
                **HTMX)
    item.refresh_from_db()
    assert (item.due_date, item.due_offset) == (date(2030, 5, 27), -5)
    services.release_schedule_shift(release=release, go_live=date(2030, 6, 11),
                                    actor=Actor.cli())
    item.refresh_from_db()
    assert item.due_date == date(2030, 6, 6)


def test_inline_owner_is_picked_by_typed_name(contributor, release):
    dana = UserFactory(username="dana", display_name="Dana Scully")
    item = _items(release)[0]
    signed_in(contributor).post(f"/inline/item/{item.pk}/owner",
                                {"value": "dana scully", "revision": item.revision}, **HTMX)
    item.refresh_from_db()
    assert item.owner == dana


def test_inline_owner_unknown_name_answers_422_with_the_message_and_keeps_what_was_typed(
        contributor, release):
    item = _items(release)[0]
    response = signed_in(contributor).post(
        f"/inline/item/{item.pk}/owner", {"value": "Nobody Here", "revision": item.revision},
        **HTMX)
    page = response.content.decode()
    assert response.status_code == 422
    assert "No one called" in page and 'value="Nobody Here"' in page
    item.refresh_from_db()
    assert item.owner is None


def test_inline_stale_edit_answers_409_with_theirs_beside_mine_and_apply_mine_wins(
        contributor, manager, release):
    item = _items(release)[0]
    stale = item.revision
    services.checklist_item_update(item=item, revision=stale, changes={"text": "Their text"},
                                   actor=Actor(manager, "web"))
    client = signed_in(contributor)
    response = client.post(f"/inline/item/{item.pk}/text",
                           {"value": "My text", "revision": stale}, **HTMX)
    page = response.content.decode()
    assert response.status_code == 409
    assert "Their text" in page and "My text" in page and manager.username in page
    assert "Apply mine on top" in page
    item.refresh_from_db()
    assert item.text == "Their text"
    assert f'name="revision" value="{item.revision}"' in page

    again = client.post(f"/inline/item/{item.pk}/text",
                        {"value": "My text", "revision": item.revision}, **HTMX)
    item.refresh_from_db()
    assert again.status_code == 200 and item.text == "My text"


def test_inline_editing_by_viewer_is_refused_and_changes_nothing(viewer, release):
    item = _items(release)[0]
    response = signed_in(viewer).post(f"/inline/item/{item.pk}/text",
                                      {"value": "Hacked", "revision": item.revision}, **HTMX)
    assert response.status_code == 403
    item.refresh_from_db()
    assert item.text == "First"


def test_inline_phase_end_before_start_answers_422(manager, release):
    phase = Phase.objects.create(release=release, name="Build", start_date=date(2030, 3, 1),
                                 end_date=date(2030, 4, 1))
    response = signed_in(manager).post(f"/inline/phase/{phase.pk}/end",
                                       {"value": "2030-02-01", "revision": phase.revision},
                                       **HTMX)
    assert response.status_code == 422
    assert "cannot end before it starts" in response.content.decode()


def test_inline_go_live_moves_the_schedule(manager, release):
    response = signed_in(manager).post(f"/inline/release/{release.pk}/go_live",
                                       {"value": "2030-07-01", "revision": release.revision},
                                       **HTMX)
    release.refresh_from_db()
    assert response.status_code == 200 and release.go_live == date(2030, 7, 1)
    assert AuditEvent.objects.filter(action="release.schedule_shift", interface="web").exists()


def test_add_item_renders_the_checklists_again_with_it(contributor, release):
    section = ChecklistSection.objects.get(release=release, title="Launch prep")
    response = signed_in(contributor).post(f"/releases/{release.key}/plan/item/add",
                                           {"section": section.pk, "text": "Fourth"}, **HTMX)
    assert response.status_code == 200
    assert "Fourth" in response.content.decode()
    assert [i.text for i in _items(release)][-1] == "Fourth"


def test_remove_item_with_sub_items_then_undo_puts_back_the_same_rows(contributor, release):
    first, second, _third = _items(release)
    child = ChecklistItem.objects.create(release=release, section=first.section, parent=second,
                                         text="Child", order=0)
    client = signed_in(contributor)
    response = client.post(f"/releases/{release.key}/plan/item/{second.pk}/remove", **HTMX)
    page = response.content.decode()
    assert "Undo" in page
    assert not ChecklistItem.objects.filter(pk__in=[second.pk, child.pk]).exists()
    event = AuditEvent.objects.get(action="checklistitem.remove")

    client.post(f"/releases/{release.key}/plan/undo/checklists", {"events": str(event.pk)},
                **HTMX)
    restored = ChecklistItem.objects.get(pk=child.pk)
    assert restored.parent_id == second.pk and restored.text == "Child"
    assert [i.text for i in _items(release) if i.parent_id is None] == [
        "First", "Second", "Third"]
    assert AuditEvent.objects.filter(action="checklistitem.restore", interface="web").exists()


def test_undo_twice_is_refused_with_a_message(contributor, release):
    item = _items(release)[0]
    client = signed_in(contributor)
    client.post(f"/releases/{release.key}/plan/item/{item.pk}/remove", **HTMX)
    event = AuditEvent.objects.get(action="checklistitem.remove")
    client.post(f"/releases/{release.key}/plan/undo/checklists", {"events": str(event.pk)},
                **HTMX)
    again = client.post(f"/releases/{release.key}/plan/undo/checklists",
                        {"events": str(event.pk)}, **HTMX)
    assert again.status_code == 422 and "undone already" in again.content.decode()


def test_move_down_indent_and_outdent_reorder_and_nest_items(contributor, release):
    first, _second, third = _items(release)
    client = signed_in(contributor)
    url = f"/releases/{release.key}/plan/item/{{}}/move"
    client.post(url.format(first.pk), {"direction": "down", "revision": first.revision}, **HTMX)
    assert [i.text for i in _items(release)] == ["Second", "First", "Third"]

    client.post(url.format(third.pk), {"direction": "indent", "revision": third.revision},
                **HTMX)
    third.refresh_from_db()
    assert third.parent_id == first.pk

    client.post(url.format(third.pk), {"direction": "outdent", "revision": third.revision},
                **HTMX)
    third.refresh_from_db()
    top = [i.text for i in _items(release) if i.parent_id is None]
    assert third.parent_id is None and top == ["Second", "First", "Third"]
    assert AuditEvent.objects.filter(action="checklistitem.move", interface="web").count() == 3


def test_drop_places_an_item_before_another_in_another_section(contributor, release):
    _first, second, _third = _items(release)
    other = ChecklistSection.objects.create(release=release, title="Other", order=1)
    target = ChecklistItem.objects.create(release=release, section=other, text="Target")
    signed_in(contributor).post(f"/releases/{release.key}/plan/item/{second.pk}/move",
                                {"section": other.pk, "before": target.pk,
                                 "revision": second.revision}, **HTMX)
    assert [i.text for i in other.items.order_by("order")] == ["Second", "Target"]


def test_drop_of_an_item_inside_itself_is_refused(contributor, release):
    first, _second, _third = _items(release)
    child = ChecklistItem.objects.create(release=release, section=first.section, parent=first,
                                         text="Child")
    response = signed_in(contributor).post(
        f"/releases/{release.key}/plan/item/{first.pk}/move",
        {"section": first.section_id, "before": child.pk}, **HTMX)
    assert response.status_code == 422
    first.refresh_from_db()
    assert first.parent_id is None


def test_bulk_assign_and_tick_change_every_selected_item(contributor, release):
    dana = UserFactory(username="dana")
    first, second, third = _items(release)
    client = signed_in(contributor)
    url = f"/releases/{release.key}/plan/items/bulk"
    client.post(url, {"items": [f"{first.pk}:1", f"{third.pk}:1"], "action": "assign",
                      "owner": "dana"}, **HTMX)
    client.post(url, {"items": [f"{first.pk}:2", f"{second.pk}:1"], "action": "tick"}, **HTMX)
    owners = {i.text: (i.owner_id, i.status) for i in _items(release)}
    assert owners == {"First": (dana.pk, "done"), "Second": (None, "done"),
                      "Third": (dana.pk, "todo")}


def test_bulk_without_selection_answers_422(contributor, release):
    response = signed_in(contributor).post(f"/releases/{release.key}/plan/items/bulk",
                                           {"action": "tick"}, **HTMX)
    assert response.status_code == 422 and "Select one or more" in response.content.decode()


def test_contributor_cannot_remove_a_phase(contributor, release):
    phase = Phase.objects.create(release=release, name="Build")
    response = signed_in(contributor).post(
        f"/releases/{release.key}/plan/phase/{phase.pk}/remove", **HTMX)
    assert response.status_code == 403
    assert Phase.objects.filter(pk=phase.pk).exists()


def test_release_page_shows_item_edit_buttons_only_to_contributors(contributor, viewer, release):
    editable = signed_in(contributor).get(f"/releases/{release.key}/").content.decode()
    readonly = signed_in(viewer).get(f"/releases/{release.key}/").content.decode()
    assert 'class="edit-button"' in editable and "bulk-form" in editable
    assert 'class="edit-button"' not in readonly and "bulk-form" not in readonly


def test_due_dates_of_items_render_with_offsets(manager, release):
    item = _items(release)[0]
    item.due_offset, item.due_date = -3, release.go_live - timedelta(days=3)
    item.save()
    page = signed_in(manager).get(f"/releases/{release.key}/").content.decode()
    assert "2030-05-29 <small>(T-3d)</small>" in page


def test_recent_changes_say_who_changed_which_field_of_what(contributor, release):
    item = _items(release)[0]
    signed_in(contributor).post(f"/inline/item/{item.pk}/notes",
                                {"value": "Call ops", "revision": item.revision}, **HTMX)
    page = signed_in(contributor).get(f"/releases/{release.key}/recent").content.decode()
    assert "carl-contributor</strong> changed checklist item <em>First</em> (notes)" in page


def _risk_and_stakeholder(release):
    from tminus.people import services as people
    from tminus.readiness import services as readiness

    person = people.person_create(name="Priya Patel", actor=Actor.cli())
    stakeholder = people.stakeholder_add(release=release, person=person, role="qa",
                                         actor=Actor.cli())
    risk = readiness.risk_add(release=release, description="Payment provider slow",
                              probability="low", impact="high", actor=Actor.cli())
    return person, stakeholder, risk


def test_risk_rating_and_owner_are_edited_in_place_and_the_score_follows(contributor, release):
    person, _stakeholder, risk = _risk_and_stakeholder(release)
    client = signed_in(contributor)
    client.post(f"/inline/risk/{risk.pk}/probability",
                {"value": "high", "revision": risk.revision}, **HTMX)
    risk.refresh_from_db()
    client.post(f"/inline/risk/{risk.pk}/owner",
                {"value": "priya patel", "revision": risk.revision}, **HTMX)
    risk.refresh_from_db()
    assert (risk.probability, risk.owner, risk.score > 3) == ("high", person, True)
    page = client.get(f"/releases/{release.key}/?tab=readiness").content.decode()
    assert f'id="f-risk-{risk.pk}-status"><span class="value">Open</span><button' in page


def test_stakeholder_becomes_approver_and_their_account_is_linked_in_place(manager, release):
    person, stakeholder, _risk = _risk_and_stakeholder(release)
    priya = UserFactory(username="priya")
    client = signed_in(manager)
    client.post(f"/inline/stakeholder/{stakeholder.pk}/is_approver",
                {"value": "on", "revision": stakeholder.revision}, **HTMX)
    client.post(f"/inline/person/{person.pk}/user",
                {"value": "priya", "revision": person.revision}, **HTMX)
    stakeholder.refresh_from_db()
    person.refresh_from_db()
    assert stakeholder.is_approver and person.user == priya
    page = client.get(f"/releases/{release.key}/?tab=people").content.decode()
    assert f'id="f-stakeholder-{stakeholder.pk}-role"><span class="value">QA</span><button' in page


def test_item_owner_may_be_a_person_of_the_release_without_an_account(contributor, release):
    _risk_and_stakeholder(release)
    item = _items(release)[0]
    signed_in(contributor).post(f"/inline/item/{item.pk}/owner",
                                {"value": "Priya Patel", "revision": item.revision}, **HTMX)
    item.refresh_from_db()
    assert (item.owner, item.responsible) == (None, "Priya Patel")


def test_drop_places_a_section_before_another_audited_as_web(contributor, release):
    later = ChecklistSection.objects.create(release=release, title="Later", order=5)
    url = f"/releases/{release.key}/plan/section/{later.pk}/move"

    response = signed_in(contributor).post(
        url, {"before": _first_section(release).pk, "revision": later.revision}, **HTMX)

    assert response.status_code == 200
    assert _first_section(release) == later
    event = AuditEvent.objects.get(action="checklistsection.move")
    assert event.interface == "web" and event.after["order"] == 0


def test_drop_places_a_phase_last_when_it_lands_on_no_phase(manager, release):
    first = Phase.objects.filter(release=release).order_by("order", "id").first()
    url = f"/releases/{release.key}/plan/phase/{first.pk}/move"

    signed_in(manager).post(url, {"before": "", "revision": first.revision}, **HTMX)

    assert Phase.objects.filter(release=release).order_by("order", "id").last() == first


def test_drop_before_a_part_of_another_release_is_refused_and_changes_nothing(manager, release):
    other = make_release(go_live=date(2030, 7, 1))
    foreign = Phase.objects.filter(release=other).first()
    phase = Phase.objects.filter(release=release).order_by("order", "id").last()
    url = f"/releases/{release.key}/plan/phase/{phase.pk}/move"
    order = list(Phase.objects.filter(release=release).values_list("pk", "order"))

    bad = signed_in(manager).post(url, {"before": "first"}, **HTMX)
    foreign_drop = signed_in(manager).post(url, {"before": foreign.pk}, **HTMX)

    assert bad.status_code == 422 and "beside another part" in bad.content.decode()
    assert foreign_drop.status_code == 422 and "same release" in foreign_drop.content.decode()
    assert list(Phase.objects.filter(release=release).values_list("pk", "order")) == order


def test_release_part_place_refuses_a_part_of_another_kind(release):
    section = _first_section(release)
    phase = Phase.objects.filter(release=release).first()

    with pytest.raises(services.ValidationFailed) as refused:
        services.release_part_place(part=section, before=phase, revision=None,
                                    actor=Actor.cli())

    assert "before" in refused.value.errors


def _first_section(release):
    return ChecklistSection.objects.filter(release=release).order_by("order", "id").first()


def test_api_reorders_a_section_through_the_same_service_audited_as_api(api_as, contributor,
                                                                         release):
    later = ChecklistSection.objects.create(release=release, title="Later", order=5)
    first = _first_section(release)

    response = api_as(contributor).post(
        f"/api/v1/releases/{release.key}/plan/section/{later.pk}/move",
        {"before": first.pk, "revision": later.revision})

    assert response.status_code == 200 and response.json()["order"] == 0
    assert _first_section(release) == later
    assert AuditEvent.objects.get(action="checklistsection.move").interface == "api"


def test_api_refuses_a_move_in_an_unknown_direction_and_changes_nothing(api_as, manager,
                                                                        release):
    phase = Phase.objects.filter(release=release).order_by("order", "id").first()
    url = f"/api/v1/releases/{release.key}/plan/phase/{phase.pk}/move"

    response = api_as(manager).post(url, {"direction": "sideways"})

    assert response.status_code == 422 and "direction" in response.json()["errors"]
    assert Phase.objects.get(pk=phase.pk).order == phase.order
    assert not AuditEvent.objects.filter(action="phase.move").exists()
