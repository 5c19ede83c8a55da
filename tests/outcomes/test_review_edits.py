"""The review's questions, lessons and sign-off roles are edited through the one edit path."""

import pytest

from tests.conftest import signed_in
from tests.outcomes.conftest import live_release
from tminus.audit.models import AuditEvent
from tminus.core.actors import Actor
from tminus.core.errors import ValidationFailed
from tminus.outcomes import services
from tminus.outcomes.models import Lesson, ReviewQuestion, SignOff

pytestmark = pytest.mark.django_db
CLI = Actor.cli()


def _sponsor():
    return live_release().signoffs.get(role="Business Sponsor")


def test_api_signoff_patch_without_a_revision_is_428_and_names_nobody(api_as, manager, viewer):
    sponsor = _sponsor()

    response = api_as(manager).patch(f"/api/v1/signoffs/{sponsor.pk}",
                                     {"assignee": viewer.username})

    assert response.status_code == 428, response.content
    assert response.json()["current"]["revision"] == sponsor.revision
    sponsor.refresh_from_db()
    assert (sponsor.assignee, sponsor.revision) == (None, 1)


def test_api_signoff_patch_from_a_stale_revision_is_409_and_names_nobody(
        api_as, manager, viewer):
    sponsor = _sponsor()

    response = api_as(manager).patch(f"/api/v1/signoffs/{sponsor.pk}",
                                     {"assignee": viewer.username, "revision": 7})

    assert response.status_code == 409
    assert response.json()["current"]["revision"] == 1
    assert SignOff.objects.get(pk=sponsor.pk).assignee is None


def test_api_signoff_patch_with_the_revision_or_if_match_names_the_signer_audited(
        api_as, manager, viewer, contributor):
    sponsor = _sponsor()
    api = api_as(manager)

    named = api.patch(f"/api/v1/signoffs/{sponsor.pk}",
                      {"assignee": viewer.username, "revision": 1})
    renamed = api.client.patch(f"/api/v1/signoffs/{sponsor.pk}",
                               data={"assignee": contributor.username},
                               content_type="application/json", HTTP_IF_MATCH='"2"')

    assert (named.status_code, renamed.status_code) == (200, 200), renamed.content
    assert (renamed.json()["assignee"], renamed.json()["revision"]) == (contributor.username, 3)
    events = AuditEvent.objects.filter(action="signoff.assign").order_by("id")
    assert [e.interface for e in events] == ["api", "api"]
    assert (events[1].before["assignee"], events[1].after["assignee"]) == (
        viewer.pk, contributor.pk)


def test_api_signoff_add_with_a_too_long_role_is_422_naming_role(api_as, manager):
    release = live_release()
    before = SignOff.objects.count()

    response = api_as(manager).post(f"/api/v1/releases/{release.key}/signoffs",
                                    {"role": "r" * 101})

    assert response.status_code == 422, response.content
    assert response.json()["errors"] == {"role": ["At most 100 characters."]}
    assert SignOff.objects.count() == before


def test_review_page_names_the_signer_with_the_revision_it_was_opened_at(manager, viewer):
    release = live_release()
    sponsor = release.signoffs.get(role="Business Sponsor")
    client = signed_in(manager)
    page = client.get(f"/releases/{release.key}/review/").content.decode()
    assert f'action="/releases/{release.key}/review/signoffs/{sponsor.pk}/assign"' in page

    stale = client.post(f"/releases/{release.key}/review/signoffs/{sponsor.pk}/assign",
                        {"assignee": viewer.username, "revision": "9"})
    missing = client.post(f"/releases/{release.key}/review/signoffs/{sponsor.pk}/assign",
                          {"assignee": viewer.username})
    assert SignOff.objects.get(pk=sponsor.pk).assignee is None
    named = client.post(f"/releases/{release.key}/review/signoffs/{sponsor.pk}/assign",
                        {"assignee": viewer.username, "revision": "1"})

    assert (stale.status_code, missing.status_code, named.status_code) == (302, 302, 302)
    assert SignOff.objects.get(pk=sponsor.pk).assignee == viewer
    assert AuditEvent.objects.get(action="signoff.assign").interface == "web"


def test_review_question_add_with_a_number_is_refused_naming_question():
    release = live_release()
    before = ReviewQuestion.objects.count()

    with pytest.raises(ValidationFailed) as refused:
        services.review_question_add(release=release, question=5, actor=CLI)

    assert refused.value.errors == {"question": ["Send text here."]}
    assert ReviewQuestion.objects.count() == before


def test_lesson_add_with_a_number_for_text_is_refused_naming_text():
    with pytest.raises(ValidationFailed) as refused:
        services.lesson_add(release=live_release(), kind=Lesson.WENT_WELL, text=5, actor=CLI)

    assert refused.value.errors == {"text": ["Send text here."]}
    assert not Lesson.objects.exists()


def test_api_question_answer_without_a_revision_is_428_and_stale_is_409(api_as, contributor):
    question = live_release().review_questions.first()
    api = api_as(contributor)
    path = f"/api/v1/review-questions/{question.pk}"

    missing = api.patch(path, {"answer": "Yes"})
    stale = api.patch(path, {"answer": "Yes", "revision": 5})
    answered = api.patch(path, {"answer": "  Yes ", "revision": 1})

    assert (missing.status_code, stale.status_code, answered.status_code) == (428, 409, 200)
    assert (answered.json()["answer"], answered.json()["answered_by"]) == (
        "Yes", contributor.username)
    event = AuditEvent.objects.get(action="review_question.answer")
    assert (event.interface, event.after["answer"]) == ("api", "Yes")


def test_api_lesson_add_and_remove_are_audited_with_the_api_interface(api_as, contributor):
    release = live_release()
    api = api_as(contributor)

    added = api.post(f"/api/v1/releases/{release.key}/lessons",
                     {"kind": "to_improve", "text": "  Book the load test earlier "})
    removed = api.delete(f"/api/v1/lessons/{added.json()['id']}")

    assert (added.status_code, removed.status_code) == (201, 204)
    assert added.json()["text"] == "Book the load test earlier"
    events = AuditEvent.objects.filter(action__startswith="lesson.").order_by("id")
    assert [(e.action, e.interface) for e in events] == [("lesson.add", "api"),
                                                         ("lesson.remove", "api")]
    assert events[1].before["text"] == "Book the load test earlier"
    assert not Lesson.objects.exists()


def test_review_page_naming_someone_not_on_the_server_keeps_the_signer_and_says_why(
        manager, viewer):
    sponsor = _sponsor()
    services.signoff_assign(signoff=sponsor, assignee=viewer, revision=1, actor=CLI)
    client = signed_in(manager)

    response = client.post(
        f"/releases/{sponsor.release.key}/review/signoffs/{sponsor.pk}/assign",
        {"assignee": "nobody-here", "revision": "2"}, follow=True)

    assert "Select a valid choice" in response.content.decode()
    assert SignOff.objects.get(pk=sponsor.pk).assignee == viewer
