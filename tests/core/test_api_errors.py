"""Every API error is JSON: the database down is a 503 with Retry-After, a bug a 500 with an id."""

import logging
from contextlib import contextmanager
from unittest import mock

import pytest
from django.db.backends.utils import CursorWrapper
from django.db.utils import OperationalError
from django.test import Client

from tests.conftest import signed_in
from tminus.core.actors import Actor
from tminus.flags import services as flags


@contextmanager
def database_unreachable():
    """Every query fails the way it does while the server is down or the file is locked."""
    refused = OperationalError("connection to server at 127.0.0.1 failed: Connection refused")
    with mock.patch.object(CursorWrapper, "_execute", side_effect=refused):
        yield


def assert_unavailable(response):
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert response["Retry-After"] == "5"
    assert "database is unavailable" in response.json()["detail"]


@pytest.mark.django_db
def test_api_with_the_database_down_answers_json_503_with_retry_after(api_as, viewer):
    api = api_as(viewer)
    with database_unreachable():
        response = api.get("/api/v1/me")
    assert_unavailable(response)
    assert response.json()["error_id"]


@pytest.mark.django_db
def test_api_from_a_browser_session_with_the_database_down_answers_json_503(viewer):
    browser = signed_in(viewer)
    with database_unreachable():
        response = browser.get("/api/v1/releases")
    assert_unavailable(response)


@pytest.mark.django_db
def test_flag_client_api_with_the_database_down_answers_json_503(db):
    flags.project_create(key="shop", name="Shop", actor=Actor.cli())
    _token, secret = flags.client_token_create(name="web", environment="production",
                                               projects=["shop"], actor=Actor.cli())
    sdk = Client(HTTP_AUTHORIZATION=secret, raise_request_exception=False)
    with database_unreachable():
        response = sdk.get("/api/client/features")
    assert_unavailable(response)


@pytest.mark.django_db
def test_unhandled_error_in_an_endpoint_answers_json_500_with_the_logged_error_id(
        api_as, viewer, caplog):
    api = api_as(viewer)
    with mock.patch("tminus.accounts.api.role_of", side_effect=RuntimeError("a bug")), \
            caplog.at_level(logging.ERROR, logger="tminus.errors"):
        response = api.get("/api/v1/me")
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    error_id = response.json()["error_id"]
    assert error_id in response.json()["detail"]
    logged = [record for record in caplog.records if error_id in record.getMessage()]
    assert logged and logged[0].exc_info[1].args == ("a bug",)


@pytest.mark.django_db
def test_unhandled_error_outside_the_routers_under_api_answers_json_500(db):
    sdk = Client(HTTP_AUTHORIZATION="anything", raise_request_exception=False)
    with mock.patch("tminus.flags.client_api.authorize", side_effect=RuntimeError("a bug")):
        response = sdk.get("/api/client/features")
    assert response.status_code == 500
    assert response.json()["error_id"]


@pytest.mark.django_db
def test_page_outside_the_api_keeps_the_html_error_page(viewer):
    browser = Client(raise_request_exception=False)
    browser.force_login(viewer)
    with mock.patch("tminus.accounts.permissions.role_of", side_effect=RuntimeError("a bug")):
        response = browser.get("/")
    assert response.status_code == 500
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.django_db
def test_page_with_the_database_down_answers_a_503_page_that_retries_by_itself(viewer, caplog):
    browser = signed_in(viewer)
    browser.raise_request_exception = False
    with database_unreachable(), caplog.at_level(logging.ERROR, logger="tminus.errors"):
        response = browser.get("/")
    assert response.status_code == 503
    assert response["Content-Type"].startswith("text/html")
    assert response["Retry-After"] == "5"
    page = response.content.decode()
    assert "cannot reach its database" in page
    assert '<meta http-equiv="refresh" content="5">' in page
    assert any("database unavailable" in record.getMessage() for record in caplog.records)


@pytest.mark.django_db
def test_page_with_an_unhandled_error_answers_500_with_the_logged_error_id(viewer, caplog):
    browser = signed_in(viewer)
    browser.raise_request_exception = False
    with mock.patch("tminus.releases.selectors.with_progress", side_effect=RuntimeError("a bug")), \
            caplog.at_level(logging.ERROR, logger="tminus.errors"):
        response = browser.get("/")
    assert response.status_code == 500
    logged = [record for record in caplog.records if record.exc_info]
    error_id = logged[0].getMessage().split()[2]
    assert f"<code>{error_id}</code>" in response.content.decode()
    assert "refresh" not in response.content.decode()
