"""SDKs against a real T-Minus server over HTTP: our own SDK polling with ETag through the test
server, and streaming through the production ASGI server (uvicorn), where a change must reach a
connected SDK in well under a second.
"""

import pytest
from tminus_client import TMinusClient
from UnleashClient import UnleashClient
from UnleashClient.utils import InstanceAllowType

from tests.flags.conftest import SYSTEM, wait_for
from tminus.flags import services, streaming
from tminus.flags.models import ClientToken
from tminus.flags.revisions import flags_state_changed

pytestmark = pytest.mark.django_db(transaction=True)


def test_tminus_client_polling_gets_304_until_a_change_then_the_new_state(live_server,
                                                                         checkout):
    flag, secret = checkout
    client = TMinusClient(live_server.url, secret, refresh_interval=0.1, disable_metrics=True,
                          disable_registration=True)
    try:
        assert client.wait_until_ready(5)
        assert not client.is_enabled("checkout-v2")
        assert wait_for(lambda: client.status.not_modified >= 2) is not None

        services.flag_environment_toggle(flag=flag, environment="production", enabled=True,
                                         actor=SYSTEM)

        assert wait_for(lambda: client.is_enabled("checkout-v2")) is not None
        assert client.status.fetches == 2
    finally:
        client.close()


def test_tminus_client_streaming_gets_a_change_in_under_a_second(asgi_server, checkout):
    flag, secret = checkout
    client = TMinusClient(asgi_server, secret, streaming=True, refresh_interval=60,
                          disable_metrics=True, disable_registration=True)
    try:
        assert client.wait_until_ready(5)
        assert wait_for(lambda: client.status.stream_connected) is not None

        services.flag_rollout_percentage_set(flag=flag, environment="production",
                                             percentage=100, actor=SYSTEM)
        services.flag_environment_toggle(flag=flag, environment="production", enabled=True,
                                         actor=SYSTEM)
        elapsed = wait_for(lambda: client.is_enabled("checkout-v2", {"userId": "7"}))

        assert elapsed is not None and elapsed < 1.0
        assert client.status.fetches == 0  # the stream carried it, no poll
    finally:
        client.close()


def test_streaming_sees_a_change_made_by_another_process_through_its_poll(asgi_server,
                                                                          checkout):
    flag, secret = checkout
    client = TMinusClient(asgi_server, secret, streaming=True, refresh_interval=60,
                          disable_metrics=True, disable_registration=True)
    # Without the in-process notification, as when a worker process makes the change.
    flags_state_changed.disconnect(dispatch_uid="flags-stream-kick")
    try:
        assert client.wait_until_ready(5)
        assert wait_for(lambda: client.status.stream_connected) is not None

        services.flag_environment_toggle(flag=flag, environment="production", enabled=True,
                                         actor=SYSTEM)
        elapsed = wait_for(lambda: client.is_enabled("checkout-v2"))

        assert elapsed is not None and elapsed < 1.0
    finally:
        flags_state_changed.connect(streaming.watch.kick, dispatch_uid="flags-stream-kick")
        client.close()


def test_stock_unleash_sdk_in_streaming_mode_follows_changes(asgi_server, checkout, tmp_path):
    flag, secret = checkout
    client = UnleashClient(url=asgi_server + "/api", app_name="stock-stream",
                           custom_headers={"Authorization": secret}, disable_metrics=True,
                           disable_registration=True, cache_directory=str(tmp_path),
                           experimental_mode={"type": "streaming"},
                           multiple_instance_mode=InstanceAllowType.SILENTLY_ALLOW)
    client.initialize_client()
    try:
        assert wait_for(lambda: client.is_initialized and "checkout-v2" in str(
            client.feature_definitions()), timeout=5) is not None

        services.flag_environment_toggle(flag=flag, environment="production", enabled=True,
                                         actor=SYSTEM)

        elapsed = wait_for(lambda: client.is_enabled("checkout-v2"))
        assert elapsed is not None and elapsed < 1.0
    finally:
        client.destroy()


def test_polling_the_production_server_is_answered_304_then_sees_changes_and_revocations(
        asgi_server, checkout):
    flag, secret = checkout
    client = TMinusClient(asgi_server, secret, refresh_interval=0.05, disable_metrics=True,
                          disable_registration=True)
    try:
        assert client.wait_until_ready(5)
        assert wait_for(lambda: client.status.not_modified >= 20) is not None

        services.flag_environment_toggle(flag=flag, environment="production", enabled=True,
                                         actor=SYSTEM)
        assert wait_for(lambda: client.is_enabled("checkout-v2"), timeout=3) is not None

        token = ClientToken.objects.get()
        services.client_token_revoke(token=token, actor=SYSTEM)
        failures = client.status.failures
        assert wait_for(lambda: client.status.failures > failures, timeout=3) is not None
    finally:
        client.close()
