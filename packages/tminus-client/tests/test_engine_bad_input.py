"""Bad definitions and bad contexts: evaluation answers off and counts, it never raises."""

import pytest

from tminus_client.engine import FlagEngine, StateError

from support.flags import constraint, flag, rollout, state_with, strategy


def test_unknown_strategy_evaluates_off_and_counts_an_error():
    engine = FlagEngine(state_with(flag("f", strategy("shinyNewStrategy"))))

    assert engine.is_enabled("f", {"userId": "1"}) is False
    assert engine.errors.count == 1
    assert "unknown strategy 'shinyNewStrategy'" in engine.errors.last
    assert "unknown strategy 'shinyNewStrategy'" in engine.warnings[0]


def test_unknown_strategy_followed_by_default_strategy_is_on():
    engine = FlagEngine(state_with(flag("f", strategy("shinyNewStrategy"), strategy("default"))))

    assert engine.is_enabled("f") is True


def test_invalid_rollout_percentage_is_off_and_reported():
    engine = FlagEngine(state_with(
        flag("f", strategy("flexibleRollout", rollout="abc", stickiness="userId"))
    ))

    assert engine.is_enabled("f", {"userId": "1"}) is False
    assert engine.errors.count == 1
    assert "'abc' is not a whole number from 0 to 100" in engine.warnings[0]


@pytest.mark.parametrize(
    "context",
    [
        {"properties": ["not", "a", "dict"]},
        "a string",
        42,
        {"properties": "plan=pro"},
    ],
)
def test_malformed_context_evaluates_off_without_raising(context):
    engine = FlagEngine(state_with(
        flag("f", strategy("default", [constraint("plan", "IN", ["pro"])]), rollout(100))
    ))

    assert engine.is_enabled("f", context) is False
    assert engine.get_variant("f", context)["enabled"] is False


def test_malformed_context_failures_are_counted():
    engine = FlagEngine(state_with(flag("f", strategy("default", [constraint("p", "IN", ["x"])]))))

    engine.is_enabled("f", {"properties": ["oops"]})
    engine.get_variant("f", "oops")

    assert engine.errors.count == 2


def test_unhashable_flag_name_evaluates_off_without_raising():
    engine = FlagEngine(state_with(flag("f")))

    assert engine.is_enabled(["f"]) is False
    assert engine.get_variant({"f": 1})["name"] == "disabled"


def test_context_values_that_are_not_strings_are_compared_as_text():
    engine = FlagEngine(state_with(
        flag("f", strategy("userWithId", userIds="123"), strategy("default", [
            constraint("beta", "IN", ["True"]), constraint("seats", "NUM_GTE", "10")]))
    ))

    assert engine.is_enabled("f", {"userId": 123})
    assert engine.is_enabled("f", {"properties": {"beta": True, "seats": 12}})


def test_custom_strategy_when_registered_receives_parameters_and_context():
    calls = []

    def by_region(parameters, context):
        calls.append((parameters, context))
        return context.get("properties", {}).get("region") in parameters["regions"].split(",")

    engine = FlagEngine(
        state_with(flag("f", strategy("byRegion", regions="eu,us"))),
        custom_strategies={"byRegion": by_region},
    )

    assert engine.is_enabled("f", {"properties": {"region": "eu"}})
    assert not engine.is_enabled("f", {"properties": {"region": "apac"}})
    assert calls[0][0] == {"regions": "eu,us"}


def test_custom_strategy_that_raises_is_off_and_counts_an_error():
    def explode(parameters, context):
        raise RuntimeError("boom")

    engine = FlagEngine(
        state_with(flag("f", strategy("explode"), strategy("default"))),
        custom_strategies={"explode": explode},
    )

    assert engine.is_enabled("f") is True
    assert engine.errors.count == 1
    assert "boom" in engine.errors.last


def test_load_with_malformed_state_raises_and_keeps_previous_flags():
    engine = FlagEngine(state_with(flag("f")))

    for state in ("nope", {"features": {"f": {}}}, {"features": [{"enabled": True}]}):
        with pytest.raises(StateError):
            engine.load(state)

    assert engine.is_enabled("f")


def test_missing_segment_turns_only_its_strategy_off():
    engine = FlagEngine(state_with(flag("f", {"name": "default", "segments": [7]})))

    assert engine.is_enabled("f") is False
    assert "segment 7 does not exist" in engine.warnings[0]


def test_disabled_flag_is_off_whatever_its_strategies():
    engine = FlagEngine(state_with(flag("f", strategy("default"), enabled=False)))

    assert engine.is_enabled("f") is False
    assert engine.get_variant("f")["feature_enabled"] is False
