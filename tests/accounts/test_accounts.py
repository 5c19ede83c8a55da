"""Accounts managed by an admin in the browser pages and the API: create, link, edit, reset."""

import pytest
from django.test import Client

from tests.conftest import signed_in
from tminus.accounts import roles, services
from tminus.accounts.models import User
from tminus.audit.models import AuditEvent
from tminus.core.actors import Actor
from tminus.core.errors import ValidationFailed
from tminus.people.models import Person

pytestmark = pytest.mark.django_db


@pytest.fixture
def person():
    return Person.objects.create(name="Priya Approver", email="priya@example.com")


def _signs_in(username: str, password: str) -> bool:
    client = Client()
    client.post("/accounts/login/", {"username": username, "password": password})
    return "_auth_user_id" in client.session


def test_it_creates_an_account_linked_to_a_person_with_a_password_shown_once(admin_user, person):
    client = signed_in(admin_user)
    response = client.post("/accounts/new", {"username": "priya", "display_name": "Priya",
                                              "role": roles.CONTRIBUTOR, "person": person.pk})
    assert response.status_code == 302
    user = User.objects.get(username="priya")
    person.refresh_from_db()
    assert person.user == user and user.role == roles.CONTRIBUTOR

    page = client.get("/accounts/").content.decode()
    password = page.split('id="handed-over"')[1].split("<code>")[1].split("</code>")[0]
    assert _signs_in("priya", password)
    assert password not in client.get("/accounts/").content.decode()
    assert AuditEvent.objects.filter(action="user.create", object_id=str(user.pk)).exists()


def test_it_offers_a_sign_in_for_a_person_without_one_to_admins_only(admin_user, manager, person):
    link = f"/accounts/new?person={person.pk}"
    assert link in signed_in(admin_user).get("/people/").content.decode()
    assert link not in signed_in(manager).get("/people/").content.decode()


def test_it_refuses_account_pages_to_non_admins(manager):
    client = signed_in(manager)
    assert client.get("/accounts/").status_code == 403
    assert client.post("/accounts/new", {"username": "x", "role": roles.ADMIN}).status_code == 403
    assert not User.objects.filter(username="x").exists()


def test_it_refuses_a_taken_username_with_a_message_and_creates_nothing(admin_user, manager):
    response = signed_in(admin_user).post("/accounts/new", {"username": manager.username,
                                                             "role": roles.VIEWER})
    assert response.status_code == 422
    assert "already exists" in response.content.decode()
    assert User.objects.filter(username=manager.username).count() == 1


def test_edit_with_a_stale_revision_is_refused_and_changes_nothing(admin_user, manager):
    client = signed_in(admin_user)
    stale = manager.revision
    services.user_update(user=manager, revision=stale, changes={"display_name": "Rita"},
                         actor=Actor.cli(admin_user))
    response = client.post(f"/accounts/{manager.pk}/edit", {
        "revision": stale, "role": roles.VIEWER, "display_name": "R", "is_active": "on"})
    assert response.status_code == 409
    manager.refresh_from_db()
    assert manager.role == roles.RELEASE_MANAGER and manager.display_name == "Rita"


def test_deactivating_an_account_ends_its_sign_in(admin_user, manager):
    response = signed_in(admin_user).post(f"/accounts/{manager.pk}/edit", {
        "revision": manager.revision, "role": manager.role, "display_name": ""})
    assert response.status_code == 302
    manager.refresh_from_db()
    assert not manager.is_active
    assert not _signs_in(manager.username, "correct-horse-battery")


def test_making_an_account_admin_opens_the_database_admin_and_taking_it_back_closes_it(
        admin_user, manager):
    actor = Actor.cli(admin_user)
    services.user_update(user=manager, revision=manager.revision,
                         changes={"role": roles.ADMIN}, actor=actor)
    assert manager.is_staff and manager.is_superuser
    services.user_update(user=manager, revision=manager.revision,
                         changes={"role": roles.VIEWER}, actor=actor)
    manager.refresh_from_db()
    assert not manager.is_staff and not manager.is_superuser


def test_the_last_active_admin_cannot_lose_the_role_or_sign_in(admin_user):
    actor = Actor.cli(admin_user)
    for changes, field in (({"role": roles.VIEWER}, "role"), ({"is_active": False}, "is_active")):
        with pytest.raises(ValidationFailed) as refused:
            services.user_update(user=admin_user, revision=admin_user.revision, changes=changes,
                                 actor=actor)
        assert field in refused.value.errors
        admin_user.refresh_from_db()
        assert admin_user.role == roles.ADMIN and admin_user.is_active


def test_password_reset_gives_a_new_password_that_signs_in_and_the_old_one_no_longer(
        admin_user, manager):
    client = signed_in(admin_user)
    assert client.post(f"/accounts/{manager.pk}/password").status_code == 302
    page = client.get("/accounts/").content.decode()
    password = page.split('id="handed-over"')[1].split("<code>")[1].split("</code>")[0]
    assert _signs_in(manager.username, password)
    assert not _signs_in(manager.username, "correct-horse-battery")
    assert AuditEvent.objects.filter(action="user.password_reset").count() == 1


def test_api_creates_lists_and_updates_accounts_with_revision_checks(admin_user, api_as, person):
    api = api_as(admin_user)
    created = api.post("/api/v1/accounts", {"username": "priya", "role": roles.CONTRIBUTOR,
                                            "person_id": person.pk})
    assert created.status_code == 201
    body = created.json()
    assert body["person_id"] == person.pk and _signs_in("priya", body["password"])

    assert "priya" in [row["username"] for row in api.get("/api/v1/accounts").json()]
    missing = api.patch(f"/api/v1/accounts/{body['id']}", {"role": roles.VIEWER})
    assert missing.status_code == 428
    updated = api.patch(f"/api/v1/accounts/{body['id']}",
                        {"role": roles.VIEWER, "revision": body["revision"]})
    assert updated.status_code == 200 and updated.json()["role"] == roles.VIEWER
    stale = api.patch(f"/api/v1/accounts/{body['id']}",
                      {"role": roles.ADMIN, "revision": body["revision"]})
    assert stale.status_code == 409


def test_api_refuses_a_null_role_and_an_unknown_role_per_field(admin_user, api_as, manager):
    api = api_as(admin_user)
    for value in (None, "owner"):
        response = api.patch(f"/api/v1/accounts/{manager.pk}",
                             {"role": value, "revision": manager.revision})
        assert response.status_code == 422
        assert "role" in response.json()["errors"]
    manager.refresh_from_db()
    assert manager.role == roles.RELEASE_MANAGER


def test_api_accounts_are_for_admins_only(manager, api_as):
    api = api_as(manager)
    assert api.get("/api/v1/accounts").status_code == 403
    assert api.post("/api/v1/accounts", {"username": "x"}).status_code == 403
    assert not User.objects.filter(username="x").exists()


def test_api_create_with_a_taken_username_and_an_unknown_role_names_both_fields(
        admin_user, api_as, manager):
    response = api_as(admin_user).post("/api/v1/accounts",
                                       {"username": manager.username, "role": "owner"})

    assert response.status_code == 422
    assert set(response.json()["errors"]) >= {"username", "role"}
    assert User.objects.filter(username=manager.username).count() == 1
