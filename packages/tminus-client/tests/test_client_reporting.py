"""The client registers itself on start and sends evaluation metrics in batches."""

from tminus_client import TMinusClient, __version__

from support.server import running_server, wait_for
from support.states import checkout_state

REGISTER = "/api/client/register"
METRICS = "/api/client/metrics"


def test_register_when_client_starts_posts_unleash_registration_body():
    with (
        running_server(checkout_state()) as server,
        TMinusClient(
            server.url, "token", app_name="shop", instance_id="pod-1", metrics_interval=30
        ),
    ):
        assert wait_for(lambda: server.bodies(REGISTER))

        body = server.bodies(REGISTER)[0]
        assert body["appName"] == "shop"
        assert body["instanceId"] == "pod-1"
        assert body["sdkVersion"] == f"tminus-client-python:{__version__}"
        assert {"default", "flexibleRollout", "userWithId"} <= set(body["strategies"])
        assert body["interval"] == 30_000
        assert body["started"].endswith("Z")


def test_metrics_when_flags_evaluated_sends_yes_no_and_variant_counts_in_a_bucket():
    with (
        running_server(checkout_state()) as server,
        TMinusClient(server.url, "token", app_name="shop", metrics_interval=0.1) as client,
    ):
        assert client.wait_until_ready(5)
        for user in range(3):
            client.is_enabled("new-checkout", {"userId": str(user)})
        client.is_enabled("missing-flag")
        client.get_variant("new-checkout", {"userId": "1"})

        assert wait_for(lambda: server.bodies(METRICS))

        body = server.bodies(METRICS)[0]
        toggles = body["bucket"]["toggles"]
        variant = client.get_variant("new-checkout", {"userId": "1"})["name"]
        assert body["appName"] == "shop"
        assert body["instanceId"] == client.instance_id
        assert toggles["new-checkout"] == {"yes": 4, "no": 0, "variants": {variant: 1}}
        assert toggles["missing-flag"] == {"yes": 0, "no": 1, "variants": {}}
        assert body["bucket"]["start"] <= body["bucket"]["stop"]


def test_metrics_when_nothing_evaluated_sends_no_batch():
    with (
        running_server(checkout_state()) as server,
        TMinusClient(server.url, "token", metrics_interval=0.05) as client,
    ):
        assert client.wait_until_ready(5)
        wait_for(lambda: False, timeout=0.3)

        assert server.bodies(METRICS) == []


def test_metrics_when_server_rejects_batch_keeps_counts_for_next_batch():
    with running_server(checkout_state()) as server:
        server.metrics_status = 503
        with TMinusClient(server.url, "token", metrics_interval=0.05) as client:
            assert client.wait_until_ready(5)
            client.is_enabled("new-checkout")
            client.is_enabled("new-checkout")
            assert wait_for(lambda: len(server.bodies(METRICS)) >= 2)
            server.metrics_status = 202
            received = len(server.bodies(METRICS))
            assert wait_for(lambda: len(server.bodies(METRICS)) > received)

        last = server.bodies(METRICS)[received]
        assert last["bucket"]["toggles"]["new-checkout"]["yes"] == 2


def test_close_when_metrics_pending_flushes_them_before_returning():
    with running_server(checkout_state()) as server:
        client = TMinusClient(server.url, "token", metrics_interval=3600)
        assert client.wait_until_ready(5)
        client.is_enabled("new-checkout")

        client.close()

        assert server.bodies(METRICS)[0]["bucket"]["toggles"]["new-checkout"]["yes"] == 1


def test_client_with_metrics_and_registration_disabled_posts_nothing():
    with running_server(checkout_state()) as server:
        with TMinusClient(
            server.url, "token", metrics_interval=0.05, disable_metrics=True,
            disable_registration=True,
        ) as client:
            assert client.wait_until_ready(5)
            client.is_enabled("new-checkout")
            wait_for(lambda: False, timeout=0.2)

        assert [r for r in server.requests if r.method == "POST"] == []
