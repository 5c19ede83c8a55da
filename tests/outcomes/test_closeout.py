from datetime import date, timedelta

import pytest

from tests.factories import ProductFactory, make_release
from tests.outcomes.conftest import live_release
from tminus.audit.models import AuditEvent
from tminus.core.actors import Actor
from tminus.core.errors import NotAllowed, ValidationFailed
from tminus.outcomes import services
from tminus.outcomes.defaults import HANDOFF_ITEMS, REVIEW_QUESTIONS, SIGNOFF_ROLES
from tminus.outcomes.models import Closeout, Lesson, SignOff
from tminus.releases.models import ReleaseTemplate

pytestmark = pytest.mark.django_db
CLI = Actor.cli()


def test_new_major_release_gets_seed_questions_signoff_roles_and_handoff_checklist():
    release = make_release(template="major", go_live=date(2026, 3, 28))

    assert list(release.review_questions.values_list("question", flat=True)) == REVIEW_QUESTIONS
    assert list(release.signoffs.values_list("role", flat=True)) == SIGNOFF_ROLES
    handoff = release.closeout.handoff_section
    assert handoff.title == "Project Handoff"
    assert [i.text for i in handoff.items.all()] == HANDOFF_ITEMS
    # The handoff is due a month after go-live and follows go-live when it moves.
    assert handoff.due_date == date(2026, 4, 27)
    assert {i.due_offset for i in handoff.items.all()} == {30}


def test_new_hotfix_gets_questions_and_two_signoffs_but_no_handoff():
    release = make_release(template="hotfix")

    assert release.review_questions.count() == 5
    assert list(release.signoffs.values_list("role", flat=True)) == [
        "Project Manager", "Technical Lead"]
    assert release.closeout.handoff_section is None


def test_closeout_defaults_add_twice_is_refused():
    release = make_release()
    with pytest.raises(ValidationFailed, match="already has its close-out"):
        services.closeout_defaults_add(release=release, actor=CLI)


def test_review_question_answer_records_who_and_when(contributor):
    question = make_release().review_questions.first()

    services.review_question_answer(question=question, answer="Users love it.",
                                    revision=question.revision, actor=Actor(contributor, "web"))

    question.refresh_from_db()
    assert (question.answer, question.answered_by) == ("Users love it.", contributor)
    assert question.answered_at is not None


def test_lesson_add_with_unknown_kind_is_refused_and_saves_nothing():
    release = make_release()
    with pytest.raises(ValidationFailed) as refused:
        services.lesson_add(release=release, kind="gossip", text="x", actor=CLI)
    assert "kind" in refused.value.errors
    assert not Lesson.objects.exists()


def test_signoff_sign_by_the_named_person_records_who_and_when(viewer):
    release = live_release()
    signoff = release.signoffs.get(role="Business Sponsor")
    services.signoff_assign(signoff=signoff, assignee=viewer, revision=None, actor=CLI)

    services.signoff_sign(signoff=signoff, comment="Happy", actor=Actor(viewer, "web"))

    signoff.refresh_from_db()
    assert (signoff.signed_by, signoff.signed_by_label, signoff.comment) == (
        viewer, viewer.username, "Happy")
    assert signoff.signed_at is not None
    assert AuditEvent.objects.filter(action="signoff.sign", release_id=release.pk).exists()


def test_signoff_sign_by_someone_else_without_manage_is_not_allowed(viewer, contributor):
    signoff = live_release().signoffs.get(role="Business Sponsor")
    services.signoff_assign(signoff=signoff, assignee=viewer, revision=None, actor=CLI)

    with pytest.raises(NotAllowed, match="Only the person named"):
        services.signoff_sign(signoff=signoff, actor=Actor(contributor, "web"))
    assert SignOff.objects.get(pk=signoff.pk).signed_at is None


def test_signoff_sign_twice_is_refused():
    signoff = live_release().signoffs.first()
    services.signoff_sign(signoff=signoff, actor=CLI)
    with pytest.raises(ValidationFailed, match="already signed"):
        services.signoff_sign(signoff=signoff, actor=CLI)


def test_signoff_revoke_clears_the_signature_and_keeps_the_reason():
    signoff = live_release().signoffs.first()
    services.signoff_sign(signoff=signoff, actor=CLI)
    services.signoff_revoke(signoff=signoff, reason="signed the wrong release", actor=CLI)
    signoff.refresh_from_db()
    assert signoff.signed_at is None
    assert AuditEvent.objects.get(action="signoff.revoke").reason == "signed the wrong release"


def _finished_release_with_lessons():
    release = live_release(days_ago=20, template="major", name="Layby Module v1.0")
    services.kpi_create(release=release, target="95% uptime", source="prometheus",
                        query="avg_over_time(up[1d]) * 100", actor=CLI)
    services.lesson_add(release=release, kind=Lesson.RECOMMENDATION,
                        text="Book the load test two weeks earlier.", actor=CLI)
    services.signoff_role_add(release=release, role="Support Lead", actor=CLI)
    return release


def test_save_as_template_then_new_release_starts_from_what_was_learned():
    release = _finished_release_with_lessons()

    template = services.release_save_as_template(release=release, name="Layby go-live",
                                                 actor=CLI)

    assert (template.key, template.release_type) == ("layby-go-live", "major")
    assert Closeout.objects.get(release=release).saved_template_key == "layby-go-live"
    following = make_release(ProductFactory(), template="layby-go-live",
                             go_live=date(2027, 6, 1))
    phases = {p.name: (p.start_offset, p.end_offset) for p in following.phases.all()}
    assert phases == {p.name: (p.start_offset, p.end_offset) for p in release.phases.all()}
    assert following.milestones.get(kind="go_live").date == date(2027, 6, 1)
    sections = list(following.checklist_sections.values_list("title", flat=True))
    assert sections.count("Project Handoff") == 1
    recommendations = following.checklist_sections.get(group="Lessons learned")
    assert [i.text for i in recommendations.items.all()] == [
        "Book the load test two weeks earlier."]
    assert recommendations.due_date == following.planning_start
    assert [(k.name, k.source, k.query) for k in following.kpis.all()] == [
        ("Uptime", "prometheus", "avg_over_time(up[1d]) * 100")]
    assert "Support Lead" in following.signoffs.values_list("role", flat=True)
    assert following.review_questions.count() == 5


def test_save_as_template_keeps_checklist_offsets_and_nesting():
    release = _finished_release_with_lessons()
    template = services.release_save_as_template(release=release, name="Again", actor=CLI)

    sections = {s["title"]: s for s in template.definition["sections"]}
    assert sections["Development completion"]["due"] == "T-28d"
    readiness = sections["Production readiness"]["items"]
    assert {"text": "Go/no-go meeting held",
            "children": ["Sign-off from development", "Sign-off from QA",
                         "Sign-off from operations"]} in readiness


def test_save_as_template_of_a_release_still_in_planning_is_refused_and_saves_nothing():
    release = make_release(go_live=date.today() + timedelta(days=30))

    with pytest.raises(ValidationFailed) as refused:
        services.release_save_as_template(release=release, name="Too early", actor=CLI)

    assert "Only a finished release" in refused.value.errors["release"][0]
    assert not ReleaseTemplate.objects.exists()


def test_save_as_template_with_a_taken_key_is_refused():
    release = _finished_release_with_lessons()
    with pytest.raises(ValidationFailed, match="already exists"):
        services.release_save_as_template(release=release, key="major", name="X", actor=CLI)


def test_save_as_template_by_a_contributor_is_not_allowed(contributor):
    with pytest.raises(NotAllowed):
        services.release_save_as_template(release=_finished_release_with_lessons(), name="X",
                                          actor=Actor(contributor, "web"))
