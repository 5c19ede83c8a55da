"""Changes made through the management API over HTTP reach the stock Unleash SDK (streaming
from the production ASGI server): a variant payload, a segment and a dependency.
"""

import pytest
import requests
from UnleashClient import UnleashClient
from UnleashClient.utils import InstanceAllowType

from tests.flags.conftest import SYSTEM, wait_for
from tminus.accounts.services import token_create
from tminus.core.actors import Actor
from tminus.flags import services

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def shop(transactional_db, contributor):
    project = services.project_create(key="shop", actor=SYSTEM)
    _token, client_secret = services.client_token_create(
        name="sdk", environment="production", projects=["shop"], actor=SYSTEM)
    _token, api_secret = token_create(user=contributor, name="pipeline",
                                      actor=Actor.cli(contributor))
    return project, client_secret, api_secret


class Api:
    """The management API as a pipeline calls it: HTTP with a personal token."""

    def __init__(self, base: str, secret: str):
        self.base, self.session = base + "/api/v1/flags", requests.Session()
        self.session.headers["Authorization"] = f"Bearer {secret}"

    def send(self, method: str, path: str, body: dict) -> dict:
        response = self.session.request(method, self.base + path, json=body, timeout=10)
        assert response.status_code in (200, 201), response.text
        return response.json()


@pytest.fixture
def stock_sdk(asgi_server, shop, tmp_path):
    _project, client_secret, api_secret = shop
    client = UnleashClient(url=asgi_server + "/api", app_name="stock-manage",
                           custom_headers={"Authorization": client_secret},
                           disable_metrics=True, disable_registration=True,
                           cache_directory=str(tmp_path),
                           experimental_mode={"type": "streaming"},
                           multiple_instance_mode=InstanceAllowType.SILENTLY_ALLOW)
    client.initialize_client()
    assert wait_for(lambda: client.is_initialized, timeout=5) is not None
    yield client, Api(asgi_server, api_secret)
    client.destroy()


def live_flag(api: Api, key: str, **strategy) -> None:
    """A flag created, given a strategy and switched on in production, all through the API."""
    api.send("POST", "/projects/shop/flags", {"key": key})
    api.send("POST", f"/{key}/environments/production/strategies",
             {"name": "default", **strategy})
    api.send("POST", f"/{key}/environments/production/toggle", {"enabled": True})


def test_stock_sdk_sees_a_variant_payload_set_through_the_api(stock_sdk):
    client, api = stock_sdk

    live_flag(api, "checkout-theme")
    api.send("PUT", "/checkout-theme/environments/production/variants", {"variants": [
        {"name": "blue", "payload": {"type": "json", "value": '{"color": "#00f"}'}}]})

    assert wait_for(lambda: client.get_variant("checkout-theme", {"userId": "7"})["name"]
                    == "blue") is not None
    assert client.get_variant("checkout-theme", {"userId": "7"})["payload"] == {
        "type": "json", "value": '{"color": "#00f"}'}


def test_stock_sdk_sees_a_segment_created_through_the_api(stock_sdk):
    client, api = stock_sdk

    segment = api.send("POST", "/segments", {"name": "beta users", "constraints": [
        {"contextName": "plan", "operator": "IN", "values": ["beta"]}]})
    live_flag(api, "beta-search", segments=[segment["id"]])

    assert wait_for(lambda: client.is_enabled("beta-search", {"properties": {"plan": "beta"}})
                    ) is not None
    assert client.is_enabled("beta-search", {"properties": {"plan": "free"}}) is False


def test_stock_sdk_follows_a_dependency_set_through_the_api(stock_sdk):
    client, api = stock_sdk
    live_flag(api, "checkout-v2")
    live_flag(api, "checkout-upsell")

    api.send("PUT", "/checkout-v2/environments/production/variants", {"variants": [
        {"name": "blue"}]})
    api.send("PUT", "/checkout-upsell/dependencies/checkout-v2", {"variants": ["green"]})
    assert wait_for(lambda: client.is_enabled("checkout-v2") and not client.is_enabled(
        "checkout-upsell")) is not None

    api.send("PUT", "/checkout-upsell/dependencies/checkout-v2", {"variants": ["blue"]})
    assert wait_for(lambda: client.is_enabled("checkout-upsell")) is not None

    api.send("POST", "/checkout-v2/environments/production/toggle", {"enabled": False})
    assert wait_for(lambda: not client.is_enabled("checkout-upsell")) is not None
