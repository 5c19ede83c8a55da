"""Each flag's fused evaluator (is_enabled) answers exactly as its strategies' predicates do.

``CompiledFeature.resolve`` walks the composed predicates, strategy by strategy; ``is_enabled``
runs the one function generated from the same steps. They must agree on every context, raise
the same error on a malformed one, and draw the same coin tosses.
"""

import random
from datetime import datetime

import pytest

from tminus_client.client.metrics import MetricsRecorder
from tminus_client.engine import FlagEngine, disabled_variant, evaluators

from support.flags import constraint, flag, rollout, state_with, strategy
from support.generated import StateGenerator
from support.spec import load_spec_files

MALFORMED_CONTEXTS = [
    "a string",
    42,
    None,
    {"properties": ["not", "a", "dict"]},
    {"properties": "plan=pro"},
    {"userId": 7, "sessionId": 8, "properties": {"country": 1, "tenant": 2.5}},
    {"userId": None, "properties": {"country": None}},
    {"userId": ["a"], "properties": {"country": {"NO"}}},
    {"currentTime": datetime(2025, 6, 1), "properties": {"version": b"1.2.3"}},
    {"sessionId": "only-a-session"},
    {},
]


def outcome(evaluate, context, seed):
    """What an evaluation answers, or the error it raises; coin tosses drawn from ``seed``."""
    random.seed(seed)
    try:
        return evaluate(context)
    except Exception as exc:
        return f"raised {exc!r}"


def resolved_variant(feature, context) -> dict:
    """The variant by walking the strategies' composed predicates, whatever the flag has."""
    enabled, variants = feature.resolve(context)
    if not enabled:
        return disabled_variant(False)
    chosen = variants.select(context) if variants is not None else None
    return chosen.as_dict() if chosen is not None else disabled_variant(True)


def disagreements(engine: FlagEngine, contexts: list) -> list:
    """Contexts on which a flag's fused evaluator, its composed predicates and its counting
    evaluator (of an engine that counts, loaded with the same state) do not agree, or its
    variant differs from the one its strategies resolve to; and flags whose counting evaluator
    did not count exactly the answers it gave."""
    recorder = MetricsRecorder()
    counting = FlagEngine(engine.state(), hostname=engine._hostname, tally=recorder.tally)
    found = []
    for name in engine.names():
        feature = engine.feature(name)
        answered = {True: 0, False: 0}
        for seed, context in enumerate(contexts):
            fused = outcome(feature.is_enabled, context, seed)
            composed = outcome(lambda c, f=feature: f.resolve(c)[0], context, seed)
            counted = outcome(counting.counted[name], context, seed)
            if not fused == composed == counted:
                found.append((name, context, fused, composed, counted))
            variant = outcome(feature.variant, context, seed)
            resolved = outcome(lambda c, f=feature: resolved_variant(f, c), context, seed)
            if variant != resolved:
                found.append((name, context, "variant", variant, resolved))
            if isinstance(counted, bool):
                answered[counted] += 1
        counts = recorder.take_bucket()
        toggle = counts["toggles"].get(name, {"yes": 0, "no": 0}) if counts else {"yes": 0, "no": 0}
        if (toggle["yes"], toggle["no"]) != (answered[True], answered[False]):
            found.append((name, "counted", toggle, answered))
    return found


@pytest.mark.parametrize(
    ("state", "contexts"),
    [
        pytest.param(
            spec["state"],
            [case["context"] for kind in ("tests", "variantTests") for case in spec.get(kind, [])],
            id=name.removesuffix(".json"),
        )
        for name, spec in load_spec_files()
    ],
)
def test_fused_evaluator_for_specification_flags_matches_composed_predicates(state, contexts):
    engine = FlagEngine(state)

    assert disagreements(engine, contexts + MALFORMED_CONTEXTS) == []


@pytest.mark.parametrize("seed", range(4))
def test_fused_evaluator_for_generated_flags_matches_composed_predicates(seed):
    generator = StateGenerator(seed)
    engine = FlagEngine(generator.state(flag_count=40))
    contexts = [generator.context() for _ in range(120)] + MALFORMED_CONTEXTS

    assert disagreements(engine, contexts) == []


def test_fused_evaluator_with_random_stickiness_draws_coin_tosses_as_predicates_do():
    coin = strategy("gradualRolloutRandom", percentage="30")
    engine = FlagEngine(state_with(flag("f", rollout(50, stickiness="default"), coin)))
    contexts = [{}, {"properties": {"x": "1"}}] * 50

    answers = {outcome(engine.feature("f").is_enabled, c, seed) for seed, c in enumerate(contexts)}

    assert disagreements(engine, contexts) == []
    assert answers == {True, False}


def test_flags_of_one_shape_share_one_compiled_evaluator_with_their_own_values():
    engine = FlagEngine(state_with(
        flag("a", strategy("default", [constraint("plan", "IN", ["pro"])]), rollout(10)),
        flag("b", strategy("default", [constraint("tier", "IN", ["gold"])]), rollout(90)),
    ))
    a, b = engine.feature("a").is_enabled, engine.feature("b").is_enabled

    assert a.__code__ is b.__code__
    assert a({"properties": {"plan": "pro"}}) and not b({"properties": {"plan": "pro"}})
    assert b({"properties": {"tier": "gold"}}) and not a({"properties": {"tier": "gold"}})


def test_definition_values_that_look_like_code_are_compared_as_data():
    sneaky = '"):\n        return True  # '
    engine = FlagEngine(state_with(
        flag("f", strategy("default", [constraint(sneaky, "IN", [sneaky])]),
             rollout(100, stickiness=sneaky, group_id=sneaky)),
    ))

    assert engine.is_enabled("f", {"properties": {sneaky: sneaky}}) is True
    assert engine.is_enabled("f", {"properties": {"other": sneaky}}) is False
    assert engine.errors.count == 0


def test_strategy_with_more_steps_than_are_written_inline_still_checks_each_one():
    count = evaluators.MAX_STEPS_PER_STRATEGY + 5
    constraints = [constraint(f"p{i}", "IN", ["yes"]) for i in range(count)]
    engine = FlagEngine(state_with(flag("f", strategy("default", constraints))))
    everything = {"properties": {f"p{i}": "yes" for i in range(count)}}
    all_but_last = {"properties": {f"p{i}": "yes" for i in range(count - 1)}}

    assert engine.is_enabled("f", everything) is True
    assert engine.is_enabled("f", all_but_last) is False
    assert disagreements(engine, [everything, all_but_last, *MALFORMED_CONTEXTS]) == []


def test_flag_with_more_steps_than_are_written_inline_keeps_composed_predicates():
    count = evaluators.MAX_STEPS_PER_FLAG // 2 + 1
    strategies = [
        strategy("userWithId", [constraint("plan", "IN", ["pro"])], userIds=f"user-{i}")
        for i in range(count)
    ]
    engine = FlagEngine(state_with(flag("f", *strategies)))
    last = {"userId": f"user-{count - 1}", "properties": {"plan": "pro"}}
    no_plan = {"userId": f"user-{count - 1}"}

    assert engine.is_enabled("f", last) is True
    assert engine.is_enabled("f", no_plan) is False
    assert disagreements(engine, [last, no_plan, *MALFORMED_CONTEXTS]) == []


def test_fused_evaluator_checks_parents_before_strategies():
    engine = FlagEngine(state_with(
        flag("parent", strategy("userWithId", userIds="ann")),
        flag("child", rollout(100), dependencies=[{"feature": "parent"}]),
    ))

    assert engine.is_enabled("child", {"userId": "ann"}) is True
    assert engine.is_enabled("child", {"userId": "bob"}) is False
    assert disagreements(engine, [{"userId": "ann"}, {"userId": "bob"}, *MALFORMED_CONTEXTS]) == []


def test_disabled_and_unevaluable_flags_count_each_answer_as_no():
    recorder = MetricsRecorder()
    engine = FlagEngine(state_with(
        flag("off", rollout(100), enabled=False),
        flag("on", rollout(100)),
    ), tally=recorder.tally)

    engine.counted["off"]({"userId": "ann"})
    engine.counted["on"]({"userId": "ann"})
    with pytest.raises(AttributeError):
        engine.counted["on"]("not a context")

    toggles = recorder.take_bucket()["toggles"]
    assert toggles["off"] == {"yes": 0, "no": 1, "variants": {}}
    assert toggles["on"] == {"yes": 1, "no": 0, "variants": {}}


def test_engine_without_tally_keeps_no_counting_evaluators():
    engine = FlagEngine(state_with(flag("on", rollout(100))))

    assert engine.counted == {}
    assert engine.is_enabled("on", {"userId": "ann"}) is True
