from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import signed_in
from tests.factories import make_release
from tminus.audit.models import AuditEvent
from tminus.core.actors import Actor
from tminus.core.errors import NotAllowed, ValidationFailed
from tminus.documents import criteria, services
from tminus.documents.models import Document, ImportantLink
from tminus.releases.services import release_schedule_shift

pytestmark = pytest.mark.django_db
SYSTEM = Actor.cli()
GO_LIVE = date(2026, 5, 4)


def test_major_release_gets_seed_003_documentation_list_and_important_links():
    release = make_release(template="major", go_live=GO_LIVE)

    documents = {d.title: d for d in release.documents.all()}
    links = [link.label for link in release.important_links.all()]

    assert list(documents) == ["User guide", "Admin documentation", "API documentation",
                               "Training materials", "Video tutorials", "FAQ",
                               "Troubleshooting guide"]
    assert documents["User guide"].due_date == GO_LIVE - timedelta(days=28)
    assert documents["Video tutorials"].required is False
    assert links == ["Support portal", "Monitoring dashboard", "Issue tracker"]


def test_document_due_dates_follow_go_live_unless_set_by_hand():
    release = make_release(template="major", go_live=GO_LIVE)
    faq = release.documents.get(kind="faq")
    services.document_update(document=faq, revision=faq.revision,
                             changes={"due_date": date(2026, 4, 1)}, actor=SYSTEM)

    release_schedule_shift(release=release, go_live=GO_LIVE + timedelta(days=14), actor=SYSTEM)

    faq.refresh_from_db()
    guide = release.documents.get(kind="user_guide")
    assert guide.due_date == GO_LIVE + timedelta(days=14 - 28)
    assert faq.due_date == date(2026, 4, 1)


def test_documents_ready_criterion_lists_what_is_missing_until_published():
    release = make_release(template="minor", go_live=GO_LIVE)

    met, why = criteria.documents_ready_evaluate(release, {})
    assert not met
    assert "2 of 2 required documents not published" in why
    assert "User guide update (not started, due 2026-04-27)" in why

    for document in release.documents.all():
        services.document_update(document=document, revision=None, actor=SYSTEM,
                                 changes={"status": "published",
                                          "link": "https://docs.example.com/x"})
    assert criteria.documents_ready_evaluate(release, {}) == (
        True, "All 2 required documents are published.")


def test_documents_ready_criterion_ignores_optional_and_not_needed_documents():
    release = make_release(template="patch")
    services.document_add(release=release, title="Videos", kind="training_videos",
                          required=False, actor=SYSTEM)
    doc = services.document_add(release=release, title="API docs", kind="api_docs",
                                actor=SYSTEM)
    services.document_update(document=doc, revision=None, changes={"status": "not_needed"},
                             actor=SYSTEM)

    assert criteria.documents_ready_evaluate(release, {})[0] is True


def test_documents_ready_criterion_params_are_checked():
    with pytest.raises(ValueError, match="Unknown document kind"):
        criteria.documents_ready_clean({"kinds": ["poems"]})
    assert criteria.documents_ready_clean({"kinds": "user_guide, faq"}) == {
        "kinds": ["user_guide", "faq"]}


def test_document_with_bad_link_or_status_is_refused_and_nothing_is_added():
    release = make_release(template="patch")

    with pytest.raises(ValidationFailed, match="http"):
        services.document_add(release=release, title="Guide", link="docs/guide", actor=SYSTEM)
    with pytest.raises(ValidationFailed, match="Unknown status"):
        services.document_add(release=release, title="Guide", status="done", actor=SYSTEM)
    assert not release.documents.exists()


def test_document_update_by_viewer_is_not_allowed_and_updates_are_audited(viewer):
    release = make_release(template="minor")
    document = release.documents.first()

    with pytest.raises(NotAllowed):
        services.document_update(document=document, revision=None,
                                 changes={"status": "published"}, actor=Actor(viewer, "web"))
    services.document_update(document=document, revision=document.revision,
                             changes={"status": "in_review"}, actor=SYSTEM)

    event = AuditEvent.objects.get(action="document.update")
    assert (event.release_id, event.before["status"], event.after["status"]) == (
        release.pk, "not_started", "in_review")


def test_documents_api_adds_with_t_offset_and_links_can_be_set(api_as, contributor):
    release = make_release(template="patch", go_live=GO_LIVE)
    api = api_as(contributor)

    created = api.post(f"/api/v1/releases/{release.key}/documents",
                       {"title": "Runbook", "kind": "other", "due": "T-3d"})
    bad = api.post(f"/api/v1/releases/{release.key}/documents",
                   {"title": "Runbook", "due": "next week"})
    link = api.post(f"/api/v1/releases/{release.key}/links",
                    {"label": "Status page", "kind": "status_page",
                     "url": "https://status.example.com"})

    assert created.status_code == 201
    assert created.json()["due_date"] == str(GO_LIVE - timedelta(days=3))
    assert bad.status_code == 422 and "T-offset" in bad.json()["detail"]
    assert link.status_code == 201
    assert api.get(f"/api/v1/releases/{release.key}/links").json()[0]["url"] == \
        "https://status.example.com"


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_documents_page_runs_the_same_queries_for_2_or_20_documents(viewer):
    release = make_release(template="patch")
    client, url = signed_in(viewer), f"/releases/{release.key}/documents/"

    def add(count):
        for number in range(count):
            services.document_add(release=release, title=f"Doc {number}", actor=SYSTEM)
            services.link_add(release=release, label=f"Link {number}", actor=SYSTEM)

    add(2)
    few = _queries(client, url)
    add(18)

    assert _queries(client, url) == few


def test_release_page_shows_documents_and_important_links(viewer):
    release = make_release(template="major")
    link = ImportantLink.objects.get(release=release, kind="dashboard")
    services.link_update(link=link, revision=None,
                         changes={"url": "https://grafana.example.com/d/1"}, actor=SYSTEM)

    page = signed_in(viewer).get(f"/releases/{release.key}/?tab=readiness").content.decode()

    assert "Documentation and links" in page
    assert "Troubleshooting guide" in page
    assert "https://grafana.example.com/d/1" in page
    assert "6 not published" in page


def test_document_status_form_by_contributor_changes_the_status(contributor):
    release = make_release(template="minor")
    document = Document.objects.filter(release=release).first()

    response = signed_in(contributor).post(
        f"/releases/{release.key}/documents/{document.pk}/status",
        {"status": "published", "revision": document.revision})

    assert response.status_code == 302
    document.refresh_from_db()
    assert document.status == "published"


def test_document_status_form_without_revision_is_refused_with_a_message(contributor):
    release = make_release(template="minor")
    document = Document.objects.filter(release=release).first()

    response = signed_in(contributor).post(
        f"/releases/{release.key}/documents/{document.pk}/status", {"status": "published"},
        follow=True)

    assert "did not say which version it was opened at" in response.content.decode()
    document.refresh_from_db()
    assert document.status == "not_started"
