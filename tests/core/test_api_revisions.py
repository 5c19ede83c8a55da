"""An edit through the API names the revision it was made from, in the body or as If-Match."""

import pytest

from tests.factories import make_release


@pytest.fixture
def release(db):
    return make_release(name="Checkout")


def test_it_refuses_an_edit_without_revision_with_428_and_the_current_state(api_as, manager,
                                                                              release):
    response = api_as(manager).patch(f"/api/v1/releases/{release.key}", {"goal": "Overwrite"})
    assert response.status_code == 428
    assert response.json()["current"]["revision"] == release.revision
    release.refresh_from_db()
    assert release.goal != "Overwrite"


def test_it_refuses_a_checklist_edit_without_revision_and_keeps_the_item(api_as, contributor,
                                                                           release):
    item = release.checklist_items.first()
    response = api_as(contributor).patch(f"/api/v1/checklist-items/{item.pk}",
                                         {"notes": "lost?"})
    assert response.status_code == 428
    item.refresh_from_db()
    assert item.notes != "lost?"


def test_it_answers_a_get_of_one_object_with_its_revision_as_etag(api_as, viewer, release):
    response = api_as(viewer).get(f"/api/v1/releases/{release.key}")
    assert response["ETag"] == f'"{release.revision}"'


def test_it_accepts_an_edit_whose_if_match_names_the_current_etag(api_as, manager, release):
    api = api_as(manager)
    etag = api.get(f"/api/v1/releases/{release.key}")["ETag"]
    response = api.client.patch(f"/api/v1/releases/{release.key}", data={"goal": "Faster"},
                                content_type="application/json", HTTP_IF_MATCH=etag)
    assert response.status_code == 200
    release.refresh_from_db()
    assert release.goal == "Faster"


def test_it_refuses_a_stale_if_match_with_409_and_the_current_state(api_as, manager, release):
    api = api_as(manager)
    etag = api.get(f"/api/v1/releases/{release.key}")["ETag"]
    api.patch(f"/api/v1/releases/{release.key}", {"goal": "First", "revision": release.revision})
    response = api.client.patch(f"/api/v1/releases/{release.key}", data={"goal": "Second"},
                                content_type="application/json", HTTP_IF_MATCH=etag)
    assert response.status_code == 409
    assert response.json()["current"]["goal"] == "First"


def test_it_refuses_an_if_match_that_is_no_etag_with_a_field_message(api_as, manager, release):
    response = api_as(manager).client.patch(
        f"/api/v1/releases/{release.key}", data={"goal": "x"}, content_type="application/json",
        HTTP_IF_MATCH="yesterday")
    assert response.status_code == 422
    assert "If-Match" in response.json()["errors"]


def test_it_refuses_a_scope_item_edit_without_revision_and_keeps_the_item(api_as, contributor,
                                                                            release):
    api = api_as(contributor)
    item = api.post(f"/api/v1/releases/{release.key}/scope", {"title": "Search"}).json()
    response = api.patch(f"/api/v1/scope-items/{item['id']}", {"status": "done"})
    assert response.status_code == 428
    assert response.json()["current"]["status"] == item["status"] != "done"
    saved = api.get(f"/api/v1/releases/{release.key}/scope").json()
    assert [row["status"] for row in saved] == [item["status"]]
