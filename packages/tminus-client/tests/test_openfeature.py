"""The OpenFeature provider, exercised through the OpenFeature API client."""

import pytest
from openfeature import api
from openfeature.evaluation_context import EvaluationContext
from openfeature.exception import ErrorCode
from openfeature.flag_evaluation import Reason

from tminus_client import TMinusClient
from tminus_client.openfeature import TMinusProvider, to_unleash_context


def flag(name, *, enabled=True, strategies=None, payload=None, variant="only"):
    variants = []
    if payload is not False:
        entry = {"name": variant, "weight": 1000}
        if payload is not None:
            entry["payload"] = payload
        variants.append(entry)
    return {
        "name": name,
        "enabled": enabled,
        "strategies": strategies if strategies is not None else [{"name": "default"}],
        "variants": variants,
    }


STATE = {
    "version": 2,
    "features": [
        flag("beta-users", strategies=[{"name": "userWithId", "parameters": {"userIds": "42"}}],
             payload=False),
        flag("switched-off", enabled=False, payload={"type": "string", "value": "x"}),
        flag("headline", payload={"type": "string", "value": "Ship it"}, variant="bold"),
        flag("page-size", payload={"type": "number", "value": "25"}, variant="large"),
        flag("ratio", payload={"type": "number", "value": "0.25"}),
        flag("layout", payload={"type": "json", "value": '{"columns": 3}'}, variant="grid"),
        flag("colour", payload=None, variant="teal"),
        flag("no-variants", payload=False),
        flag("broken-json", payload={"type": "json", "value": "{nope"}),
    ],
}


@pytest.fixture
def openfeature_client():
    provider = TMinusProvider(TMinusClient.from_state(STATE))
    api.set_provider(provider, domain="tminus-tests")
    yield api.get_client(domain="tminus-tests")
    api.clear_providers()


def test_boolean_for_targeted_user_is_true_with_targeting_match(openfeature_client):
    details = openfeature_client.get_boolean_details(
        "beta-users", False, EvaluationContext(targeting_key="42")
    )

    assert (details.value, details.reason, details.variant) == (True, Reason.TARGETING_MATCH, "on")


def test_boolean_for_other_user_is_false_with_default_reason(openfeature_client):
    details = openfeature_client.get_boolean_details(
        "beta-users", True, EvaluationContext(targeting_key="7")
    )

    assert (details.value, details.reason, details.variant) == (False, Reason.DEFAULT, "off")


def test_boolean_for_disabled_flag_is_false_with_disabled_reason(openfeature_client):
    details = openfeature_client.get_boolean_details("switched-off", True)

    assert (details.value, details.reason) == (False, Reason.DISABLED)


def test_missing_flag_returns_default_with_flag_not_found(openfeature_client):
    details = openfeature_client.get_boolean_details("no-such-flag", True)

    assert details.value is True
    assert details.reason == Reason.ERROR
    assert details.error_code == ErrorCode.FLAG_NOT_FOUND


def test_string_from_string_payload_returns_value_and_variant(openfeature_client):
    details = openfeature_client.get_string_details("headline", "default")

    assert (details.value, details.reason, details.variant) == (
        "Ship it", Reason.TARGETING_MATCH, "bold",
    )


def test_string_from_variant_without_payload_returns_variant_name(openfeature_client):
    assert openfeature_client.get_string_value("colour", "grey") == "teal"


def test_integer_and_float_from_number_payload_are_parsed(openfeature_client):
    page_size = openfeature_client.get_integer_details("page-size", 10)
    ratio = openfeature_client.get_float_details("ratio", 1.0)

    assert (page_size.value, page_size.variant, page_size.reason) == (
        25, "large", Reason.TARGETING_MATCH,
    )
    assert ratio.value == 0.25


def test_object_from_json_payload_is_parsed(openfeature_client):
    details = openfeature_client.get_object_details("layout", {})

    assert (details.value, details.variant) == ({"columns": 3}, "grid")


@pytest.mark.parametrize(
    ("resolve", "flag_key", "default"),
    [
        ("get_integer_details", "headline", 1),
        ("get_integer_details", "ratio", 1),
        ("get_object_details", "page-size", {}),
        ("get_string_details", "layout", "x"),
        ("get_object_details", "broken-json", {}),
        ("get_float_details", "colour", 1.0),
    ],
)
def test_payload_of_wrong_type_returns_default_with_type_mismatch(
    openfeature_client, resolve, flag_key, default
):
    details = getattr(openfeature_client, resolve)(flag_key, default)

    assert details.value == default
    assert details.reason == Reason.ERROR
    assert details.error_code == ErrorCode.TYPE_MISMATCH


def test_string_for_flag_without_variants_returns_default_with_default_reason(openfeature_client):
    details = openfeature_client.get_string_details("no-variants", "fallback")

    assert (details.value, details.reason, details.error_code) == ("fallback", Reason.DEFAULT, None)


def test_string_for_disabled_flag_returns_default_with_disabled_reason(openfeature_client):
    details = openfeature_client.get_string_details("switched-off", "fallback")

    assert (details.value, details.reason) == ("fallback", Reason.DISABLED)


def test_provider_metadata_names_t_minus(openfeature_client):
    assert openfeature_client.get_metadata().domain == "tminus-tests"
    assert api.get_provider_metadata("tminus-tests").name == "T-Minus"


def test_evaluation_context_maps_targeting_key_standard_fields_and_properties():
    context = EvaluationContext(
        targeting_key="user-1",
        attributes={"sessionId": "s-9", "plan": "pro", "properties": {"country": "NO"}},
    )

    assert to_unleash_context(context) == {
        "userId": "user-1",
        "sessionId": "s-9",
        "properties": {"plan": "pro", "country": "NO"},
    }


def test_shutdown_through_api_closes_the_client():
    client = TMinusClient.from_state(STATE)
    api.set_provider(TMinusProvider(client), domain="shutdown-test")

    api.shutdown()

    assert client.closed
