"""The client keeps its flags current by polling /api/client/features with ETag."""

import threading

from tminus_client import TMinusClient

from support.server import running_server, wait_for
from support.states import checkout_state


def test_polling_client_when_state_unchanged_sends_etag_and_keeps_flags_on_304():
    with (
        running_server(checkout_state()) as server,
        TMinusClient(server.url, "token", refresh_interval=0.05, disable_metrics=True) as client,
    ):
        assert wait_for(lambda: server.not_modified >= 2)

        later_polls = server.gets("/api/client/features")[1:]
        assert {poll.headers["if-none-match"] for poll in later_polls} == {server.etag}
        assert client.status.fetches == 1
        assert client.is_enabled("new-checkout")


def test_polling_client_requests_carry_token_app_name_instance_and_spec_version():
    with (
        running_server(checkout_state()) as server,
        TMinusClient(
            server.url, "secret-token", app_name="checkout-service", instance_id="pod-7",
            disable_metrics=True,
        ) as client,
    ):
        assert client.wait_until_ready(5)

        headers = server.gets("/api/client/features")[0].headers
        assert headers["authorization"] == "secret-token"
        assert headers["unleash-appname"] == "checkout-service"
        assert headers["unleash-instanceid"] == "pod-7"
        assert headers["unleash-client-spec"] == "5.2.0"


def test_polling_client_when_server_state_changes_answers_with_new_state():
    with (
        running_server(checkout_state(enabled=False)) as server,
        TMinusClient(server.url, "token", refresh_interval=0.05, disable_metrics=True) as client,
    ):
        assert client.wait_until_ready(5)
        assert not client.is_enabled("new-checkout")

        server.state = checkout_state(enabled=True)

        assert wait_for(lambda: client.is_enabled("new-checkout"))


def test_polling_client_under_base_path_url_requests_below_that_path():
    with running_server(checkout_state()) as server:
        client = TMinusClient(f"{server.url}/tminus", "token", disable_metrics=True, start=False)

        client.refresh()

        assert [r.path for r in server.requests] == ["/tminus/api/client/features"]
        client.close()


def test_client_after_close_stops_its_background_threads():
    with running_server(checkout_state()) as server:
        client = TMinusClient(server.url, "token", refresh_interval=0.05, metrics_interval=0.05)
        assert client.wait_until_ready(5)

        client.close()
        polls_after_close = len(server.gets("/api/client/features"))
        wait_for(lambda: False, timeout=0.2)

        assert len(server.gets("/api/client/features")) == polls_after_close
        assert [t for t in threading.enumerate() if client.instance_id in t.name] == []
