"""The client never raises and never waits on the network, whatever the server does."""

import json
import socket
import time

from tminus_client import TMinusClient

from support.server import running_server, wait_for
from support.states import checkout_state


def unused_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def test_client_when_server_down_answers_defaults_and_records_failure():
    with TMinusClient(unused_port_url(), "token", refresh_interval=0.05) as client:
        assert not client.wait_until_ready(0.2)

        assert client.is_enabled("new-checkout") is False
        assert client.is_enabled("new-checkout", default=True) is True
        assert client.get_variant("new-checkout") == {
            "name": "disabled", "enabled": False, "feature_enabled": False,
        }
        assert client.status.failures >= 1
        assert "fetching flags failed" in client.status.last_error


def test_client_when_server_returns_garbage_keeps_the_flags_it_had():
    with (
        running_server(checkout_state()) as server,
        TMinusClient(server.url, "token", refresh_interval=0.05) as client,
    ):
        assert client.wait_until_ready(5)
        server.state = checkout_state(enabled=False)
        server.garbage = True

        assert wait_for(lambda: client.status.failures >= 2)
        assert client.is_enabled("new-checkout") is True


def test_client_when_server_answers_500_keeps_flags_and_recovers_afterwards():
    with (
        running_server(checkout_state()) as server,
        TMinusClient(server.url, "token", refresh_interval=0.05) as client,
    ):
        assert client.wait_until_ready(5)
        server.failure_status = 500
        assert wait_for(lambda: client.status.last_error is not None)
        assert client.is_enabled("new-checkout")

        server.failure_status = None
        server.state = checkout_state(enabled=False)

        assert wait_for(lambda: not client.is_enabled("new-checkout"), timeout=3)
        assert client.status.last_error is None


def test_is_enabled_when_server_is_slow_answers_without_waiting():
    with running_server(checkout_state()) as server:
        server.features_delay = 1.0
        with TMinusClient(server.url, "token", disable_metrics=True) as client:
            started = time.monotonic()
            answer = client.is_enabled("new-checkout", {"userId": "1"})

            assert time.monotonic() - started < 0.1
            assert answer is False
            assert client.wait_until_ready(5)
            assert client.is_enabled("new-checkout", {"userId": "1"})


def test_is_enabled_with_malformed_context_answers_off_and_counts_error():
    state = {"features": [{"name": "pro", "enabled": True, "strategies": [
        {"name": "default", "constraints": [
            {"contextName": "plan", "operator": "IN", "values": ["pro"]}]}]}]}
    client = TMinusClient.from_state(state)

    assert client.is_enabled("pro", {"properties": ["not", "a", "dict"]}) is False
    assert client.is_enabled("pro", "not a context") is False
    assert client.get_variant("pro", 42) == {
        "name": "disabled", "enabled": False, "feature_enabled": False,
    }
    assert client.errors.count == 3
    assert client.is_enabled("pro", {"properties": {"plan": "pro"}}) is True


def test_bootstrap_file_when_server_down_answers_from_file(tmp_path):
    bootstrap = tmp_path / "flags.json"
    bootstrap.write_text(json.dumps(checkout_state()), encoding="utf-8")

    with TMinusClient(unused_port_url(), "token", bootstrap=bootstrap) as client:
        assert client.is_enabled("new-checkout")
        assert client.get_variant("new-checkout", {"userId": "9"})["enabled"]


def test_bootstrap_state_when_server_answers_is_replaced_by_server_state():
    with running_server(checkout_state(enabled=False)) as server:
        client = TMinusClient(server.url, "token", bootstrap=checkout_state(), start=False)
        assert client.is_enabled("new-checkout")

        client.start()

        assert client.wait_until_ready(5)
        assert not client.is_enabled("new-checkout")
        client.close()


def test_bootstrap_when_file_missing_or_garbage_starts_without_flags(tmp_path):
    garbage = tmp_path / "garbage.json"
    garbage.write_text("{not json", encoding="utf-8")

    for bootstrap in (tmp_path / "missing.json", garbage):
        with TMinusClient(unused_port_url(), "token", bootstrap=bootstrap, start=False) as client:
            assert client.feature_names() == []
            assert client.is_enabled("new-checkout", default=True)
            assert "bootstrap failed" in client.status.last_error
