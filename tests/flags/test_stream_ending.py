"""Streams end when the server is asked to stop, and when their token is revoked or deleted."""

import http.client
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.core.test_serve import TMINUS, _newcomer_env
from tests.flags.conftest import SYSTEM, wait_for
from tests.support.network import free_port
from tests.support.serve import start_serve
from tminus.flags import services, streaming, tokens
from tminus.flags.models import ClientToken

pytestmark = pytest.mark.django_db(transaction=True)


def _open_stream(base_url: str, secret: str) -> tuple[http.client.HTTPConnection, object]:
    """A raw SSE connection, read up to the end of its first event."""
    host, port = base_url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    connection.request("GET", "/api/client/streaming", headers={"Authorization": secret})
    response = connection.getresponse()
    assert response.status == 200
    first = b""
    while not first.endswith(b"\n\n"):
        first += response.read1(65536)
    assert first.startswith(b"event: unleash-connected")
    return connection, response


def _read_until_closed(connection, response, timeout: float) -> tuple[bytes, float | None]:
    """What the stream still sends, and the seconds until the server ended it (None: never)."""
    start = time.monotonic()
    rest = b""
    connection.sock.settimeout(timeout)
    try:
        while True:
            chunk = response.read1(65536)
            if not chunk:
                return rest, time.monotonic() - start
            rest += chunk
    except (TimeoutError, OSError):
        return rest, None


def _serve(data_dir: Path, port: int, env: dict) -> subprocess.Popen:
    return start_serve(["--no-worker", "--port", str(port)], {**_newcomer_env(data_dir), **env})


def _make_token(data_dir: Path) -> str:
    script = (
        "from tminus.core.actors import Actor; from tminus.flags import services;"
        "a = Actor.cli(); services.project_create(key='shop', actor=a);"
        "print(services.client_token_create(name='sdk', environment='production',"
        " projects=['shop'], actor=a)[1])")
    done = subprocess.run([*TMINUS, "shell", "-c", script], env=_newcomer_env(data_dir),
                          capture_output=True, text=True, check=True)
    return done.stdout.strip().splitlines()[-1]


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_serve_with_an_open_stream_exits_within_seconds_of_a_stop_signal(tmp_path, sig):
    port = free_port()
    # A long graceful timeout: the stream must end because the server is stopping, not because
    # the timeout cut it.
    process = _serve(tmp_path, port, {"TMINUS_SERVE_GRACEFUL_SECONDS": "60"})
    try:
        connection, response = _open_stream(f"http://127.0.0.1:{port}", _make_token(tmp_path))
        os.kill(process.pid, sig)
        started = time.monotonic()
        _rest, closed_after = _read_until_closed(connection, response, timeout=30)
        process.wait(timeout=30)
        # Well inside the 60 s graceful timeout (bounds loose enough for a busy machine): the
        # stop closed the stream, the timeout did not.
        assert closed_after is not None and closed_after < 20
        assert time.monotonic() - started < 30
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_revoking_a_token_ends_its_open_stream_at_once(asgi_server, checkout):
    _flag, secret = checkout
    connection, response = _open_stream(asgi_server, secret)

    services.client_token_revoke(token=ClientToken.objects.get(), actor=SYSTEM)

    _rest, closed_after = _read_until_closed(connection, response, timeout=5)
    assert closed_after is not None and closed_after < 1
    assert wait_for(lambda: streaming.watch.open_streams == 0) is not None


def test_a_token_revoked_by_another_process_ends_its_stream_within_a_poll(asgi_server,
                                                                          checkout):
    _flag, secret = checkout
    connection, response = _open_stream(asgi_server, secret)

    # As another process would: through the service, but without the in-process signal (on
    # PostgreSQL its notification arrives; on SQLite the streams' poll finds it).
    tokens.tokens_changed.disconnect(dispatch_uid="flags-stream-tokens")
    try:
        services.client_token_revoke(token=ClientToken.objects.get(), actor=SYSTEM)

        _rest, closed_after = _read_until_closed(connection, response, timeout=5)
    finally:
        tokens.tokens_changed.connect(streaming.watch.kick, dispatch_uid="flags-stream-tokens")
    assert closed_after is not None and closed_after < 1


def test_deleting_a_token_ends_its_stream_and_leaves_other_tokens_streams_open(asgi_server,
                                                                              checkout):
    flag, secret = checkout
    _other, other_secret = services.client_token_create(
        name="other", environment="production", projects=["shop"], actor=SYSTEM)
    connection, response = _open_stream(asgi_server, secret)
    other_connection, other_response = _open_stream(asgi_server, other_secret)

    ClientToken.objects.exclude(name="other").delete()  # no service deletes tokens: no signal

    _rest, closed_after = _read_until_closed(connection, response, timeout=5)
    assert closed_after is not None and closed_after < 2
    services.flag_environment_toggle(flag=flag, environment="production", enabled=True,
                                     actor=SYSTEM)
    other_connection.sock.settimeout(5)
    assert other_response.read1(65536).startswith(b"event: unleash-updated")
    other_connection.close()
