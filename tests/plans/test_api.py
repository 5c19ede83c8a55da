"""The JSON API: import with preview and commit, export, calendar feeds."""

import base64

import pytest
from django.test import Client

from tests.factories import make_release
from tests.plans.helpers import seed
from tminus.plans.models import CalendarFeed, PendingImport
from tminus.releases.models import Release

pytestmark = pytest.mark.django_db


def test_post_imports_previews_then_commit_creates_the_release(api_as, manager):
    api = api_as(manager)
    content = seed("000").read_text()

    preview = api.post("/api/v1/imports", {"filename": "000.md", "content": content,
                                           "product": "shop"})
    assert preview.status_code == 200, preview.content
    body = preview.json()
    assert body["state"] == "pending" and body["report"]["summary"]["phases"] == 6
    assert not Release.objects.exists()

    committed = api.post(f"/api/v1/imports/{body['id']}/commit")

    assert committed.status_code == 201
    assert Release.objects.filter(key=committed.json()["release_key"]).exists()
    assert api.post(f"/api/v1/imports/{body['id']}/commit").status_code == 422


def test_post_imports_with_commit_imports_at_once_from_base64(api_as, manager):
    data = base64.b64encode(seed("001").read_bytes()).decode()

    response = api_as(manager).post("/api/v1/imports", {"filename": "001.md",
                                                        "content_base64": data, "commit": True})

    assert response.status_code == 201
    assert response.json()["report"]["release"]["created"] is True


def test_post_imports_with_binary_content_is_422_and_creates_nothing(api_as, manager):
    data = base64.b64encode(b"\x00\x01\x02binary").decode()

    response = api_as(manager).post("/api/v1/imports", {"content_base64": data, "commit": True})

    assert response.status_code == 422
    assert "binary" in response.json()["detail"]
    assert not Release.objects.exists() and not PendingImport.objects.exists()


def test_post_imports_by_a_contributor_is_403(api_as, contributor):
    response = api_as(contributor).post("/api/v1/imports", {"content": "# Release plan\n"})

    assert response.status_code == 403


@pytest.mark.parametrize(("fmt", "needle"), [("md", "## Checklists"), ("json", '"format"'),
                                            ("yaml", "format: tminus-plan/1"),
                                            ("ics", "BEGIN:VCALENDAR"), ("html", "<!doctype")])
def test_get_export_answers_each_format_to_a_viewer(api_as, viewer, fmt, needle):
    release = make_release(template="minor")

    response = api_as(viewer).get(f"/api/v1/releases/{release.key}/export?format=" + fmt)

    assert response.status_code == 200
    assert needle in response.content.decode()


def test_get_export_with_unknown_format_is_422(api_as, viewer):
    release = make_release()

    assert api_as(viewer).get(f"/api/v1/releases/{release.key}/export?format=pdf") \
        .status_code == 422


def test_calendar_feed_url_serves_ics_until_revoked(api_as, viewer):
    release = make_release(template="major")
    api = api_as(viewer)

    created = api.post("/api/v1/calendar-feeds", {"product": release.product.key})
    assert created.status_code == 201
    url = created.json()["url"]
    path = url[url.index("/calendar/"):]
    feed = CalendarFeed.objects.get()
    assert feed.token_hash not in url and feed.prefix in url

    anonymous = Client()
    served = anonymous.get(path)
    assert served.status_code == 200 and "Go-live: " in served.content.decode()

    assert api.delete(f"/api/v1/calendar-feeds/{feed.pk}").status_code == 200
    assert anonymous.get(path).status_code == 404


def test_person_feed_for_someone_else_needs_a_manager(api_as, viewer, contributor):
    response = api_as(viewer).post("/api/v1/calendar-feeds", {"user": contributor.username})

    assert response.status_code == 403
    assert not CalendarFeed.objects.exists()


def test_feed_list_runs_a_fixed_number_of_queries(api_as, manager,
                                                  django_assert_max_num_queries):
    from tminus.core.actors import Actor
    from tminus.plans.services import calendar_feed_create

    api = api_as(manager)
    for count in (2, 20):
        while CalendarFeed.objects.count() < count:
            calendar_feed_create(user=manager, actor=Actor(manager, "api"))
        with django_assert_max_num_queries(8):
            assert len(api.get("/api/v1/calendar-feeds").json()) == count
