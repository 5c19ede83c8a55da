"""One state build per change: concurrent requests for a new revision wait for one build."""

import threading
import time

import pytest
from django.db import connections
from django.test import Client

from tminus.flags import client_state

pytestmark = pytest.mark.django_db(transaction=True)


def test_twenty_concurrent_polls_after_a_change_build_the_state_once(client_token, make_flag,
                                                                     monkeypatch):
    make_flag("checkout-v2")
    secret = client_token()
    builds = []
    real_build = client_state.build_state

    def slow_build(query, revision):
        builds.append(revision)
        time.sleep(0.3)  # long enough for every poll to arrive while it runs
        return real_build(query, revision)

    monkeypatch.setattr(client_state, "build_state", slow_build)
    start = threading.Barrier(20)
    statuses = []

    def poll():
        start.wait()
        statuses.append(Client(HTTP_AUTHORIZATION=secret).get("/api/client/features")
                        .status_code)
        connections.close_all()

    threads = [threading.Thread(target=poll) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert statuses == [200] * 20
    assert len(builds) == 1


def test_a_failed_build_lets_the_next_caller_build_again(client_token, make_flag, monkeypatch):
    make_flag("checkout-v2")
    secret = client_token()
    real_build = client_state.build_state
    calls = []

    def failing_once(query, revision):
        calls.append(revision)
        if len(calls) == 1:
            raise RuntimeError("database went away")
        return real_build(query, revision)

    monkeypatch.setattr(client_state, "build_state", failing_once)
    sdk = Client(HTTP_AUTHORIZATION=secret, raise_request_exception=False)

    assert sdk.get("/api/client/features").status_code >= 500
    assert sdk.get("/api/client/features").status_code == 200
    assert len(calls) == 2


def test_five_streams_of_one_query_get_a_change_built_once(asgi_server, checkout,
                                                           monkeypatch):
    from tests.flags.conftest import SYSTEM
    from tests.flags.test_stream_ending import _open_stream
    from tminus.flags import services

    flag, secret = checkout
    streams = [_open_stream(asgi_server, secret) for _ in range(5)]
    builds = []
    real_delta = client_state.delta_events

    def counted(query, since):
        builds.append(since)
        return real_delta(query, since)

    monkeypatch.setattr(client_state, "delta_events", counted)
    services.flag_environment_toggle(flag=flag, environment="production", enabled=True,
                                     actor=SYSTEM)

    received = []
    for stream_connection, response in streams:
        stream_connection.sock.settimeout(5)
        received.append(response.read1(65536))
        stream_connection.close()
    assert all(chunk.startswith(b"event: unleash-updated") for chunk in received)
    assert len(set(received)) == 1
    assert len(builds) == 1
