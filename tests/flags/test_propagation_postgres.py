"""Two processes on PostgreSQL: a change committed in one reaches the other's streams and pollers
at once, by notification rather than by the other process reading the database on a timer."""

import os
import time
import urllib.request

import pytest
from django.db import connection

from tests.core.test_serve import _newcomer_env
from tests.flags.conftest import SYSTEM
from tests.flags.test_stream_ending import _open_stream
from tests.support.network import free_port
from tests.support.serve import start_serve
from tminus.flags import propagation, services

postgres_only = pytest.mark.skipif(
    not os.environ.get("TMINUS_TEST_DATABASE_URL"),
    reason="needs PostgreSQL (TMINUS_TEST_DATABASE_URL): SQLite has no notifications",
)
pytestmark = [postgres_only, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def other_process(tmp_path, checkout):
    """`tminus serve` in a process of its own, on the test database."""
    settings = connection.settings_dict
    url = (f"postgres://{settings['USER']}@{settings['HOST']}:{settings['PORT'] or 5432}"
           f"/{settings['NAME']}")
    port = free_port()
    process = start_serve(["--no-worker", "--port", str(port)],
                          {**_newcomer_env(tmp_path), "DATABASE_URL": url})
    yield f"http://127.0.0.1:{port}"
    process.terminate()
    process.wait(timeout=20)


def _listening_connections() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE application_name = %s "
                       "AND datname = current_database()", [propagation.APPLICATION_NAME])
        return cursor.fetchone()[0]


def _next_event(connection_, response, timeout: float) -> tuple[bytes, float]:
    connection_.sock.settimeout(timeout)
    started = time.monotonic()
    chunk = response.read1(65536)
    while chunk.startswith(b": heartbeat"):
        chunk = response.read1(65536)
    return chunk, time.monotonic() - started


def test_a_change_made_in_this_process_reaches_a_stream_on_the_other_at_once(other_process,
                                                                            checkout):
    flag, secret = checkout
    stream_connection, response = _open_stream(other_process, secret)
    propagation.listener.stop()  # so the listening connection counted is the other process's
    assert _listening_connections() == 1
    delays = []
    for enabled in (True, False, True):
        services.flag_environment_toggle(flag=flag, environment="production", enabled=enabled,
                                         actor=SYSTEM)
        event, delay = _next_event(stream_connection, response, timeout=5)
        assert event.startswith(b"event: unleash-updated")
        assert f'"enabled":{str(enabled).lower()}'.encode() in event
        delays.append(delay)
    stream_connection.close()
    # The other process reads the database only once a second while it is notified; three
    # changes each arriving well within that came by notification.
    assert max(delays) < propagation.SAFETY_POLL_SECONDS / 2


def test_a_poller_of_the_other_process_sees_a_change_at_its_next_poll(other_process, checkout):
    flag, secret = checkout

    def poll(etag=None):
        request = urllib.request.Request(other_process + "/api/client/features",
                                         headers={"Authorization": secret,
                                                  **({"If-None-Match": etag} if etag else {})})
        try:
            with urllib.request.urlopen(request, timeout=5) as answer:
                return answer.status, answer.headers["ETag"]
        except urllib.error.HTTPError as error:
            return error.code, error.headers["ETag"]

    status, etag = poll()
    assert status == 200
    assert poll(etag)[0] == 304  # now answered from the other process's memory

    services.flag_environment_toggle(flag=flag, environment="production", enabled=True,
                                     actor=SYSTEM)
    time.sleep(0.2)

    status, new_etag = poll(etag)
    assert status == 200 and new_etag != etag
