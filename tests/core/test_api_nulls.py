"""A null where a field may be left out is a 422 naming that field, never a 500."""

import json
import re

import pytest
from django.test import Client

from tminus.accounts.services import token_create
from tminus.core.actors import Actor
from tminus.core.demo_loader import demo_load
from tminus.releases.models import ChecklistItem, Release


@pytest.fixture
def admin_client(admin_user):
    demo_load()
    _token, secret = token_create(user=admin_user, name="nulls", actor=Actor.cli())
    return Client(raise_request_exception=False, HTTP_AUTHORIZATION=f"Bearer {secret}")


def _writes_with_bodies(document: dict):
    schemas = document["components"]["schemas"]
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            content = operation.get("requestBody", {}).get("content", {})
            reference = content.get("application/json", {}).get("schema", {}).get("$ref")
            if method in ("post", "put", "patch") and reference:
                yield method, path, schemas[reference.rsplit("/", 1)[-1]]


def test_it_refuses_a_null_checklist_note_with_a_field_message(admin_client):
    item = ChecklistItem.objects.first()
    response = admin_client.patch(f"/api/v1/checklist-items/{item.pk}",
                                  data={"notes": None, "revision": item.revision},
                                  content_type="application/json")
    assert response.status_code == 422
    assert "notes" in response.json()["errors"]
    item.refresh_from_db()
    assert item.notes is not None


def test_it_answers_a_null_in_any_body_field_of_any_write_without_server_error(admin_client):
    document = admin_client.get("/api/v1/openapi.json").json()
    key = Release.objects.order_by("pk").first().key
    server_errors = []
    for method, path, schema in _writes_with_bodies(document):
        url = re.sub(r"\{(\w+)\}", lambda m: "1" if m.group(1).endswith("id") else key, path)
        for field in schema.get("properties", {}):
            response = getattr(admin_client, method)(
                url, data=json.dumps({field: None}), content_type="application/json")
            if response.status_code >= 500:
                server_errors.append(f"{method.upper()} {path} {field}: {response.status_code}")
    assert server_errors == []
