import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.factories import ProductFactory, make_release
from tminus.accounts.models import ApiToken, User
from tminus.accounts.services import hash_token
from tminus.audit.models import AuditEvent
from tminus.releases.models import Release

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_token_create_prints_secret_once_and_stores_only_its_hash(viewer):
    secret = run("token", "create", "--user", viewer.username).strip()

    token = ApiToken.objects.get()
    assert token.token_hash == hash_token(secret)
    listing = run("token", "list")
    assert secret not in listing and token.prefix in listing


def test_token_revoke_stops_the_token_working(client, viewer):
    secret = run("token", "create", "--user", viewer.username).strip()
    run("token", "revoke", str(ApiToken.objects.get().pk))
    response = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 401


def test_token_create_for_unknown_user_is_a_clean_error():
    with pytest.raises(CommandError, match="No user named 'ghost'"):
        run("token", "create", "--user", "ghost")


def test_createuser_with_password_from_env_creates_role(monkeypatch):
    monkeypatch.setenv("NEW_PASSWORD", "a-long-enough-password")
    run("createuser", "nina", "--role", "contributor", "--password-from-env", "NEW_PASSWORD")
    user = User.objects.get(username="nina")
    assert user.role == "contributor" and user.check_password("a-long-enough-password")
    assert AuditEvent.objects.get(action="user.create").interface == "cli"


def test_release_create_prints_key_and_list_shows_it():
    ProductFactory(key="shop")
    key = run("release", "create", "--product", "shop", "--name", "Create Order",
              "--template", "patch", "--go-live", "2026-03-28", "--version", "1.0.1").strip()
    assert key == "shop-1.0.1"
    assert key in run("release", "list", "--product", "shop")


def test_release_create_with_bad_date_is_a_clean_error():
    ProductFactory(key="shop")
    with pytest.raises(CommandError, match="not a date"):
        run("release", "create", "--product", "shop", "--name", "X", "--template", "patch",
            "--go-live", "28/03/2026")
    assert not Release.objects.exists()


def test_release_show_prints_json_with_checklists(manager):
    release = make_release()
    shown = json.loads(run("release", "show", release.key, "--as", manager.username))
    assert shown["key"] == release.key
    assert shown["checklists"][0]["items"]


def test_command_as_unknown_user_is_refused():
    ProductFactory(key="shop")
    with pytest.raises(CommandError, match="No active user"):
        run("release", "create", "--product", "shop", "--name", "X", "--template", "patch",
            "--as", "ghost")
