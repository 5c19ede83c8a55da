"""Every page and endpoint of the release plan, walked with every role."""

import json

import pytest
from django.test import Client

from tests.conftest import signed_in
from tests.factories import ProductFactory, make_release
from tminus.accounts.roles import ADMIN, CAPABILITIES, CONTRIBUTOR, RELEASE_MANAGER, VIEWER

pytestmark = pytest.mark.django_db


def _targets(release, item, scope):
    key = release.key
    return [
        # (name, method, path, body, capability)
        ("portfolio page", "get", "/", None, "view"),
        ("products page", "get", "/products/", None, "view"),
        ("release page", "get", f"/releases/{key}/", None, "view"),
        ("history page", "get", f"/releases/{key}/history", None, "view"),
        ("new release page", "get", "/releases/new", None, "manage"),
        ("edit release page", "get", f"/releases/{key}/edit", None, "manage"),
        ("move go-live", "post", f"/releases/{key}/schedule", {"go_live": "2030-01-01"},
         "manage"),
        ("change status", "post", f"/releases/{key}/transition", {"status": "development"},
         "manage"),
        ("create product", "post", "/products/new", {"name": "New"}, "manage"),
        ("tick item", "post", f"/releases/{key}/items/{item.pk}/status", {"status": "done"},
         "contribute"),
        ("add scope", "post", f"/releases/{key}/scope", {"title": "X", "kind": "feature",
                                                         "status": "planned"}, "contribute"),
        ("scope status", "post", f"/releases/{key}/scope/{scope.pk}/status",
         {"status": "done"}, "contribute"),
        ("api portfolio", "get", "/api/v1/releases", None, "view"),
        ("api release", "get", f"/api/v1/releases/{key}", None, "view"),
        ("api checklists", "get", f"/api/v1/releases/{key}/checklists", None, "view"),
        ("api history", "get", f"/api/v1/releases/{key}/history", None, "view"),
        ("api create product", "post", "/api/v1/products", {"name": "Api product"}, "manage"),
        ("api patch release", "patch", f"/api/v1/releases/{key}", {"goal": "Faster"}, "manage"),
        ("api schedule", "post", f"/api/v1/releases/{key}/schedule", {"go_live": "2030-02-01"},
         "manage"),
        ("api transition", "post", f"/api/v1/releases/{key}/transition",
         {"status": "development"}, "manage"),
        ("api add section", "post", f"/api/v1/releases/{key}/checklists", {"title": "More"},
         "contribute"),
        ("api patch item", "patch", f"/api/v1/checklist-items/{item.pk}", {"status": "done"},
         "contribute"),
        ("api add scope", "post", f"/api/v1/releases/{key}/scope", {"title": "Y"}, "contribute"),
        ("api patch scope", "patch", f"/api/v1/scope-items/{scope.pk}", {"status": "done"},
         "contribute"),
    ]


def _call(client: Client, method: str, path: str, body):
    if path.startswith("/api/"):
        payload = json.dumps(body) if body is not None else None
        kwargs = {"data": payload, "content_type": "application/json"} if payload else {}
        return getattr(client, method)(path, **kwargs)
    return getattr(client, method)(path, data=body or {})


@pytest.mark.parametrize("role", [ADMIN, RELEASE_MANAGER, CONTRIBUTOR, VIEWER])
def test_every_release_page_and_endpoint_allows_exactly_the_roles_with_the_capability(role,
                                                                                      users):
    ProductFactory(key="shop")
    release = make_release()
    item = release.checklist_items.first()
    scope = release.scope_items.create(title="Existing")
    client = signed_in(users[role])

    wrong = []
    for name, method, path, body, capability in _targets(release, item, scope):
        status = _call(client, method, path, body).status_code
        allowed = capability in CAPABILITIES[role]
        if (allowed and status == 403) or (not allowed and status != 403):
            wrong.append(f"{name}: {status} (allowed={allowed})")
    assert not wrong, f"{role}: {wrong}"


def test_every_release_page_and_endpoint_refuses_anonymous_callers():
    release = make_release()
    item = release.checklist_items.first()
    scope = release.scope_items.create(title="Existing")
    client = Client()

    for name, method, path, body, _capability in _targets(release, item, scope):
        response = _call(client, method, path, body)
        expected = 401 if path.startswith("/api/") else 302
        assert response.status_code == expected, name
        if expected == 302:
            assert response["Location"].startswith("/accounts/login/"), name
