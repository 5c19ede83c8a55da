import os
import shutil
from contextlib import contextmanager

import pytest
from django.test import Client

from tests.factories import UserFactory
from tminus.accounts.roles import ADMIN, CONTRIBUTOR, RELEASE_MANAGER, VIEWER
from tminus.accounts.services import token_create
from tminus.core.actors import Actor

CHROMIUM = os.environ.get("TMINUS_CHROMIUM", "/usr/bin/chromium")


@pytest.fixture
def admin_user(db):
    return UserFactory(username="alice-admin", role=ADMIN)


@pytest.fixture
def manager(db):
    return UserFactory(username="rita-manager", role=RELEASE_MANAGER)


@pytest.fixture
def contributor(db):
    return UserFactory(username="carl-contributor", role=CONTRIBUTOR)


@pytest.fixture
def viewer(db):
    return UserFactory(username="vera-viewer", role=VIEWER)


@pytest.fixture
def users(admin_user, manager, contributor, viewer):
    return {ADMIN: admin_user, RELEASE_MANAGER: manager, CONTRIBUTOR: contributor,
            VIEWER: viewer}


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


class ApiClient:
    """A JSON client that authenticates with a personal API token, like a script would."""

    def __init__(self, user):
        _token, self.token = token_create(user=user, name="tests", actor=Actor.cli())
        self.client = Client(HTTP_AUTHORIZATION=f"Bearer {self.token}")

    def _send(self, method, path, data=None):
        call = getattr(self.client, method)
        if data is None:
            return call(path)
        return call(path, data=data, content_type="application/json")

    def get(self, path):
        return self._send("get", path)

    def post(self, path, data=None):
        return self._send("post", path, data or {})

    def patch(self, path, data):
        return self._send("patch", path, data)

    def put(self, path, data):
        return self._send("put", path, data)

    def delete(self, path):
        return self._send("delete", path)


@pytest.fixture
def api_as():
    return ApiClient


@pytest.fixture
def browser():
    """A real headless Chromium driven by Playwright; skips (saying why) where it is missing."""
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        pytest.skip(f"Chromium not found at {CHROMIUM}; .ci/run installs Debian's chromium.")
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as playwright, _connections_of_the_playwright_loop():
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-dev-shm-usage"],
        )
        yield browser
        browser.close()


@contextmanager
def _connections_of_the_playwright_loop():
    """While Playwright's sync API runs its event loop in this thread, Django keeps this
    thread's database connections apart from the usual ones (asgiref stores them per context
    when a loop is running), and nothing else closes them. Close them when the browser starts
    and when it stops, so a browser test never inherits a session from an earlier one, such as
    one a database outage test has ended since."""
    from django.db import connections

    connections.close_all()
    try:
        yield
    finally:
        connections.close_all()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup):
    """The test database, as pytest-django makes it. On PostgreSQL the flag client API opens a
    listening connection per process: it is closed before the database is dropped."""
    yield
    from tminus.flags.propagation import listener

    listener.stop()
