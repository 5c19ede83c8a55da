"""With streaming on, changes reach the client over Server-Sent Events in well under a second."""

import time

from tminus_client import TMinusClient

from support.server import running_server, wait_for
from support.states import checkout_state, feature_updated


def test_streaming_client_when_flag_changes_sees_change_within_one_second():
    with (
        running_server(checkout_state()) as server,
        TMinusClient(server.url, "token", streaming=True, disable_metrics=True) as client,
    ):
        assert client.wait_until_ready(5)
        assert not client.is_enabled("dark-mode")

        published_at = time.monotonic()
        server.publish([feature_updated("dark-mode", enabled=True)])
        assert wait_for(lambda: client.is_enabled("dark-mode"), timeout=1.0, interval=0.002)
        elapsed = time.monotonic() - published_at

        assert elapsed < 1.0
        assert client.is_enabled("new-checkout")
        assert server.gets("/api/client/features") == []


def test_streaming_client_hydrates_from_connected_event_with_stream_headers():
    with (
        running_server(checkout_state()) as server,
        TMinusClient(server.url, "token", streaming=True, disable_metrics=True) as client,
    ):
        assert client.wait_until_ready(5)

        request = server.gets("/api/client/streaming")[0]
        assert request.headers["accept"] == "text/event-stream"
        assert request.headers["authorization"] == "token"
        assert client.get_variant("new-checkout", {"userId": "7"})["name"] in {"blue", "green"}
        assert client.status.stream_connected


def test_streaming_client_when_stream_drops_reconnects_and_receives_later_updates():
    with (
        running_server(checkout_state()) as server,
        TMinusClient(server.url, "token", streaming=True, disable_metrics=True) as client,
    ):
        assert client.wait_until_ready(5)

        server.drop_streams()
        assert wait_for(lambda: len(server.gets("/api/client/streaming")) >= 2)
        assert wait_for(lambda: server.open_streams() == 1)
        server.publish([feature_updated("after-reconnect", enabled=True)])

        assert wait_for(lambda: client.is_enabled("after-reconnect"), timeout=2.0)


def test_streaming_client_when_server_has_no_stream_falls_back_to_polling():
    with (
        running_server(checkout_state(), streaming=False) as server,
        TMinusClient(
            server.url, "token", streaming=True, refresh_interval=0.05, disable_metrics=True
        ) as client,
    ):
        assert client.wait_until_ready(5)
        assert wait_for(lambda: server.not_modified >= 2)

        assert client.is_enabled("new-checkout")
        assert len(server.gets("/api/client/streaming")) == 1


def test_streaming_client_when_close_called_ends_open_stream_promptly():
    with running_server(checkout_state()) as server:
        client = TMinusClient(server.url, "token", streaming=True, disable_metrics=True)
        assert client.wait_until_ready(5)

        started = time.monotonic()
        client.close()

        assert time.monotonic() - started < 1.0
        assert wait_for(lambda: server.open_streams() == 0)


def test_streaming_client_when_update_is_malformed_reconnects_and_resyncs():
    with (
        running_server(checkout_state()) as server,
        TMinusClient(server.url, "token", streaming=True, disable_metrics=True) as client,
    ):
        assert client.wait_until_ready(5)
        server.state = checkout_state(enabled=False)

        server.publish_raw("{this is not json")

        assert wait_for(lambda: len(server.gets("/api/client/streaming")) >= 2)
        assert wait_for(lambda: not client.is_enabled("new-checkout"))
