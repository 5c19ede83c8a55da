"""PostgreSQL connections: one bounded pool per process (Django's psycopg pool)."""

import importlib
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.exceptions import ImproperlyConfigured

from tests.support import serve
from tminus import conf


@pytest.fixture
def reloaded_settings(monkeypatch, tmp_path):
    """tminus.settings read again under the environment the test sets; restored afterwards."""
    import tminus.settings as settings_module

    monkeypatch.setenv("TMINUS_DATA_DIR", str(tmp_path))
    yield lambda: importlib.reload(settings_module)
    monkeypatch.undo()
    importlib.reload(settings_module)


def test_settings_on_postgres_have_a_bounded_pool_and_no_persistent_connections(
        reloaded_settings, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://tminus@db.internal/tminus")
    monkeypatch.setenv("TMINUS_DB_POOL_MIN", "1")
    monkeypatch.setenv("TMINUS_DB_POOL_MAX", "7")
    monkeypatch.setenv("TMINUS_DB_POOL_TIMEOUT", "12")

    database = reloaded_settings().DATABASES["default"]

    assert database["OPTIONS"]["pool"] == {"min_size": 1, "max_size": 7, "timeout": 12}
    assert database["CONN_MAX_AGE"] == 0


def test_settings_on_postgres_pool_defaults_to_ten_connections(reloaded_settings, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://tminus@db.internal/tminus")
    for name in ("TMINUS_DB_POOL_MIN", "TMINUS_DB_POOL_MAX", "TMINUS_DB_POOL_TIMEOUT"):
        monkeypatch.delenv(name, raising=False)

    pool = reloaded_settings().DATABASES["default"]["OPTIONS"]["pool"]

    assert pool == {"min_size": 2, "max_size": 10, "timeout": 10}


def test_settings_on_sqlite_have_no_pool(reloaded_settings, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)

    assert "pool" not in reloaded_settings().DATABASES["default"]["OPTIONS"]


def test_pool_smaller_than_its_minimum_stops_start_up():
    with pytest.raises(ImproperlyConfigured, match=r"TMINUS_DB_POOL_MIN \(5\) must not be above"):
        conf.database_pool(min_size=5, max_size=4, timeout=10)


def test_pool_of_zero_connections_stops_start_up(reloaded_settings, monkeypatch):
    monkeypatch.setenv("TMINUS_DB_POOL_MAX", "0")
    with pytest.raises(ImproperlyConfigured, match="TMINUS_DB_POOL_MAX must be at least 1"):
        reloaded_settings()


class PeakConnections:
    """Samples the server connections of one database while a block runs; keeps the highest."""

    def __init__(self, url: str):
        self.url, self.peak, self.samples = url, 0, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    def _sample(self):
        while not self._stop.is_set():
            self.peak = max(self.peak, serve.connections_to(self.url))
            self.samples += 1
            time.sleep(0.01)


def _get(url: str, token: str) -> int:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=60) as response:
        response.read()
        return response.status


@pytest.mark.skipif(not serve.postgres_url(), reason="needs PostgreSQL (TMINUS_TEST_DATABASE_URL)")
@pytest.mark.postgres
def test_server_under_20_concurrent_requests_holds_no_more_than_pool_max_connections(tmp_path):
    with serve.own_postgres_database("pool") as database_url:
        env = serve.production_env(tmp_path, DATABASE_URL=database_url,
                                   TMINUS_ADMIN_PASSWORD="pool-test-password-0123",
                                   TMINUS_DB_POOL_MIN="1", TMINUS_DB_POOL_MAX="3",
                                   TMINUS_DB_POOL_TIMEOUT="30")
        with serve.serving(env, "--no-worker") as base:
            token = serve.tminus("token", "create", "--user", "admin", env=env).strip()
            paths = ["/api/v1/me", "/api/v1/releases", "/api/v1/products", "/healthz"] * 20
            with PeakConnections(database_url) as peak, ThreadPoolExecutor(20) as pool:
                statuses = list(pool.map(lambda path: _get(base + path, token), paths))

    assert statuses == [200] * len(paths)
    assert peak.samples > 5
    # The `tminus token create` process is over by then; only the server's pool is connected,
    # plus the one session each web process keeps listening for flag changes.
    assert 1 <= peak.peak <= 3 + 1
