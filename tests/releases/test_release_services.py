from datetime import date, timedelta

import pytest

from tests.factories import ProductFactory, make_release
from tminus.audit.models import AuditEvent
from tminus.core.actors import Actor
from tminus.core.errors import Conflict, NotAllowed, TransitionNotAllowed, ValidationFailed
from tminus.releases import services
from tminus.releases.builtin_templates import BUILTIN_TEMPLATES
from tminus.releases.models import ChecklistItem, Milestone, Phase, Release

pytestmark = pytest.mark.django_db
GO_LIVE = date(2026, 3, 28)


@pytest.mark.parametrize("template", sorted(BUILTIN_TEMPLATES))
def test_release_create_from_each_builtin_template_computes_every_date_from_go_live(template):
    release = make_release(template=template, go_live=GO_LIVE)

    definition = BUILTIN_TEMPLATES[template]
    phases = list(release.phases.all())
    assert [p.name for p in phases] == [p["name"] for p in definition["phases"]]
    assert all(p.start_date == GO_LIVE + timedelta(days=p.start_offset) for p in phases)
    assert all(m.date == GO_LIVE + timedelta(days=m.date_offset) for m in release.milestones.all())
    items = release.checklist_items.all()
    assert items.count() >= 5
    assert all(i.due_date == GO_LIVE + timedelta(days=i.due_offset) for i in items)
    assert release.release_type == definition["release_type"]


def test_release_create_major_template_has_freeze_and_go_live_milestones():
    release = make_release(template="major", go_live=GO_LIVE)

    kinds = {m.kind: m.date for m in release.milestones.all()}
    assert kinds["go_live"] == GO_LIVE
    assert kinds["feature_freeze"] == GO_LIVE - timedelta(days=28)
    assert release.planning_start == GO_LIVE - timedelta(days=70)


def test_release_schedule_shift_moves_the_overview_planning_start_with_its_milestone():
    release = make_release(template="major", go_live=GO_LIVE)
    start = Milestone.objects.get(release=release, kind="planning_start")
    assert release.planning_start == start.date

    services.release_schedule_shift(release=release, go_live=GO_LIVE + timedelta(days=7),
                                    actor=Actor.cli())

    release.refresh_from_db()
    start.refresh_from_db()
    assert release.planning_start == start.date == GO_LIVE + timedelta(days=7 + start.date_offset)


def test_release_schedule_shift_brings_a_go_live_milestone_set_by_hand_along():
    release = make_release(template="minor", go_live=GO_LIVE)
    go_live = Milestone.objects.get(release=release, kind="go_live")
    services.milestone_date_set(milestone=go_live, on=GO_LIVE, revision=None, actor=Actor.cli())

    services.release_schedule_shift(release=release, go_live=GO_LIVE - timedelta(days=7),
                                    actor=Actor.cli())

    go_live.refresh_from_db()
    assert go_live.date == GO_LIVE - timedelta(days=7) and go_live.date_offset == 0


def test_release_create_major_template_keeps_nested_checklist_items():
    release = make_release(template="major", go_live=GO_LIVE)

    parent = ChecklistItem.objects.get(release=release, text="Go/no-go meeting held")
    assert [c.text for c in parent.children.all()] == [
        "Sign-off from development", "Sign-off from QA", "Sign-off from operations"]


def test_release_schedule_shift_moves_offset_dates_and_keeps_dates_set_by_hand():
    release = make_release(template="major", go_live=GO_LIVE)
    pinned = release.checklist_items.first()
    services.checklist_item_update(item=pinned, revision=pinned.revision,
                                   changes={"due_date": date(2026, 1, 5)}, actor=Actor.cli())
    freeze = Milestone.objects.get(release=release, kind="feature_freeze")

    moved = services.release_schedule_shift(release=release, go_live=GO_LIVE + timedelta(days=7),
                                            actor=Actor.cli(), reason="vendor slipped")

    freeze.refresh_from_db()
    pinned.refresh_from_db()
    assert moved > 20
    assert freeze.date == GO_LIVE + timedelta(days=7 - 28)
    assert pinned.due_date == date(2026, 1, 5)
    event = AuditEvent.objects.filter(action="release.schedule_shift").get()
    assert event.before["go_live"] == "2026-03-28"
    assert event.after["go_live"] == "2026-04-04"
    assert event.reason == "vendor slipped"
    assert event.interface == "cli"


def test_phase_dates_set_by_hand_stay_put_when_go_live_moves():
    release = make_release(template="minor", go_live=GO_LIVE)
    phase = Phase.objects.filter(release=release).first()
    services.phase_dates_set(phase=phase, start_date=date(2026, 1, 1), end_date=date(2026, 1, 9),
                             revision=phase.revision, actor=Actor.cli())

    services.release_schedule_shift(release=release, go_live=GO_LIVE + timedelta(days=30),
                                    actor=Actor.cli())

    phase.refresh_from_db()
    assert (phase.start_date, phase.end_date) == (date(2026, 1, 1), date(2026, 1, 9))


def test_release_create_without_name_is_refused_and_saves_nothing():
    product = ProductFactory()
    with pytest.raises(ValidationFailed) as refused:
        services.release_create(product=product, name=" ", template_key="minor",
                                go_live=GO_LIVE, actor=Actor.cli())
    assert "name" in refused.value.errors
    assert not Release.objects.exists()
    assert not ChecklistItem.objects.exists()


def test_release_create_with_go_live_before_planning_start_is_refused():
    with pytest.raises(ValidationFailed) as refused:
        services.release_create(product=ProductFactory(), name="R", template_key="minor",
                                go_live=GO_LIVE, planning_start=GO_LIVE + timedelta(days=1),
                                actor=Actor.cli())
    assert "before the planning start" in refused.value.errors["go_live"][0]


def test_release_create_with_unknown_template_names_the_known_ones():
    with pytest.raises(ValidationFailed) as refused:
        make_release(template="gigantic")
    assert "major" in refused.value.errors["template"][0]


def test_release_transition_along_workflow_is_audited():
    release = make_release()
    services.release_transition(release=release, to_status="development", actor=Actor.cli())

    release.refresh_from_db()
    assert release.status == "development"
    event = AuditEvent.objects.get(action="release.transition")
    assert (event.before, event.after) == ({"status": "planning"}, {"status": "development"})


def test_release_transition_not_allowed_is_refused_with_reason():
    release = make_release()
    with pytest.raises(TransitionNotAllowed) as refused:
        services.release_transition(release=release, to_status="live", actor=Actor.cli())
    assert "cannot move to live" in refused.value.message
    assert "development" in refused.value.message
    release.refresh_from_db()
    assert release.status == "planning"


def test_release_transition_to_unknown_status_is_refused():
    with pytest.raises(TransitionNotAllowed, match="not a release status"):
        services.release_transition(release=make_release(), to_status="shipped",
                                    actor=Actor.cli())


def test_release_cancelled_is_final():
    release = make_release()
    services.release_transition(release=release, to_status="cancelled", actor=Actor.cli())
    with pytest.raises(TransitionNotAllowed, match="final"):
        services.release_transition(release=release, to_status="planning", actor=Actor.cli())


def test_checklist_item_done_records_who_and_when(manager):
    release = make_release()
    item = release.checklist_items.first()

    services.checklist_item_update(item=item, revision=item.revision, changes={"status": "done"},
                                   actor=Actor(manager, "web"))

    item.refresh_from_db()
    assert item.done_by == manager
    assert item.done_at is not None
    services.checklist_item_update(item=item, revision=item.revision, changes={"status": "todo"},
                                   actor=Actor(manager, "web"))
    item.refresh_from_db()
    assert item.done_by is None and item.done_at is None


def test_checklist_item_update_from_stale_revision_conflicts_with_current_state(contributor):
    release = make_release()
    item = release.checklist_items.first()
    stale_revision = item.revision
    services.checklist_item_update(item=item, revision=stale_revision,
                                   changes={"status": "done"}, actor=Actor(contributor, "web"))
    stale_copy = ChecklistItem.objects.get(pk=item.pk)

    with pytest.raises(Conflict) as conflict:
        services.checklist_item_update(item=stale_copy, revision=stale_revision,
                                       changes={"status": "blocked"},
                                       actor=Actor(contributor, "api"))

    assert conflict.value.current["status"] == "done"
    assert ChecklistItem.objects.get(pk=item.pk).status == "done"


def test_checklist_item_update_with_unknown_status_is_refused():
    item = make_release().checklist_items.first()
    with pytest.raises(ValidationFailed, match="Unknown status"):
        services.checklist_item_update(item=item, revision=None, changes={"status": "finished"},
                                       actor=Actor.cli())


def test_viewer_cannot_tick_a_checklist_item(viewer):
    item = make_release().checklist_items.first()
    with pytest.raises(NotAllowed):
        services.checklist_item_update(item=item, revision=None, changes={"status": "done"},
                                       actor=Actor(viewer, "web"))
    item.refresh_from_db()
    assert item.status == "todo"


def test_contributor_cannot_move_go_live(contributor):
    release = make_release(go_live=GO_LIVE)
    with pytest.raises(NotAllowed):
        services.release_schedule_shift(release=release, go_live=GO_LIVE + timedelta(days=1),
                                        actor=Actor(contributor, "web"))


def test_scope_item_with_link_that_is_not_http_is_refused():
    with pytest.raises(ValidationFailed) as refused:
        services.scope_item_add(release=make_release(), title="Export", link="ftp://x",
                                actor=Actor.cli())
    assert "http" in refused.value.errors["link"][0]


def test_checklist_item_add_nested_under_parent_keeps_nesting():
    release = make_release()
    section = release.checklist_sections.first()
    parent = services.checklist_item_add(section=section, text="Parent", actor=Actor.cli())

    child = services.checklist_item_add(section=section, text="Child", parent=parent,
                                        actor=Actor.cli())

    assert child.parent == parent
    assert child.due_date == section.due_date
