"""A token's last use is written at most once a minute and never holds up or fails a request."""

import os
import sqlite3
import subprocess
import sys
import urllib.request
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.support.network import free_port
from tests.support.serve import start_serve
from tminus.accounts.models import ApiToken
from tminus.accounts.services import _token_use_record

TMINUS = [sys.executable, "-m", "tminus.cli"]


@pytest.mark.django_db
def test_two_requests_within_a_minute_write_the_last_use_once(api_as, viewer):
    api = api_as(viewer)
    with CaptureQueriesContext(connection) as queries:
        assert api.get("/api/v1/me").status_code == 200
        assert api.get("/api/v1/me").status_code == 200
    writes = [q["sql"] for q in queries if "last_used_at" in q["sql"] and
              q["sql"].lstrip().upper().startswith("UPDATE")]
    assert len(writes) == 1
    assert ApiToken.objects.get(user=viewer).last_used_at is not None


@pytest.mark.django_db
def test_request_a_minute_after_the_last_use_records_it_again(api_as, viewer):
    api = api_as(viewer)
    api.get("/api/v1/me")
    earlier = timezone.now() - timedelta(seconds=61)
    ApiToken.objects.filter(user=viewer).update(last_used_at=earlier)
    api.get("/api/v1/me")
    assert ApiToken.objects.get(user=viewer).last_used_at > earlier


@pytest.mark.django_db
def test_use_seen_as_old_by_two_requests_at_once_is_written_by_one(api_as, viewer):
    api_as(viewer)
    token = ApiToken.objects.get(user=viewer)

    _token_use_record(token)  # the first request writes
    first = ApiToken.objects.get(pk=token.pk).last_used_at
    _token_use_record(token)  # the second read the same old (empty) time before the write
    assert ApiToken.objects.get(pk=token.pk).last_used_at == first


def _server_env(data_dir: Path) -> dict:
    env = {key: value for key, value in os.environ.items()
           if key not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    return {**env, "TMINUS_DATA_DIR": str(data_dir), "TMINUS_HEALTH_REQUIRES_WORKER": "false",
            "TMINUS_ADMIN_PASSWORD": "token-use-admin-0123"}


def _start(env: dict, port: int) -> subprocess.Popen:
    return start_serve(["--no-worker", "--port", str(port)], env)


def test_read_while_an_import_holds_the_sqlite_write_lock_still_answers(tmp_path):
    env = _server_env(tmp_path)
    port = free_port()
    server = _start(env, port)
    try:
        created = subprocess.run([*TMINUS, "token", "create", "--user", "admin"], env=env,
                                 capture_output=True, text=True, check=True)
        secret = next(word for word in created.stdout.split() if word.startswith("tmn_"))
        # What a long import does: hold SQLite's write lock (readers go on under WAL).
        holder = sqlite3.connect(tmp_path / "tminus.sqlite3", isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        try:
            request = urllib.request.Request(f"http://127.0.0.1:{port}/api/v1/me",
                                             headers={"Authorization": f"Bearer {secret}"})
            with urllib.request.urlopen(request, timeout=15) as response:
                assert response.status == 200
                assert b'"username": "admin"' in response.read()
        finally:
            holder.execute("ROLLBACK")
            holder.close()
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
