"""An offline client built from a state answers without threads or network."""

import threading

import pytest

from tminus_client import TMinusClient
from tminus_client.engine import StateError

from support.states import checkout_state


def test_from_state_client_answers_flags_and_variants_without_threads():
    threads_before = threading.active_count()

    client = TMinusClient.from_state(checkout_state(), app_name="shop")

    assert client.is_enabled("new-checkout", {"userId": "1"})
    assert client.get_variant("new-checkout", {"userId": "1"})["payload"]["type"] == "string"
    assert client.wait_until_ready(0)
    assert threading.active_count() == threads_before
    client.close()


def test_from_state_with_malformed_state_raises_state_error():
    with pytest.raises(StateError):
        TMinusClient.from_state({"features": "not a list"})


def test_is_enabled_for_unknown_flag_returns_given_default():
    client = TMinusClient.from_state(checkout_state())

    assert client.is_enabled("nope") is False
    assert client.is_enabled("nope", default=True) is True


def test_environment_and_app_name_fill_constraints_when_context_lacks_them():
    state = {"features": [{"name": "prod-only", "enabled": True, "strategies": [
        {"name": "default", "constraints": [
            {"contextName": "environment", "operator": "IN", "values": ["production"]},
            {"contextName": "appName", "operator": "IN", "values": ["shop"]}]}]}]}

    prod = TMinusClient.from_state(state, app_name="shop", environment="production")
    staging = TMinusClient.from_state(state, app_name="shop", environment="staging")

    assert prod.is_enabled("prod-only", {"userId": "1"})
    assert not staging.is_enabled("prod-only", {"userId": "1"})
    assert staging.is_enabled("prod-only", {"environment": "production"})


def test_get_variant_returns_a_copy_callers_may_change_freely():
    client = TMinusClient.from_state(checkout_state())

    first = client.get_variant("new-checkout", {"userId": "1"})
    first["payload"]["value"] = "changed"

    assert client.get_variant("new-checkout", {"userId": "1"})["payload"]["value"] != "changed"
