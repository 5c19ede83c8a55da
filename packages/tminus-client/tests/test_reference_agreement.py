"""The engine agrees with the stock Unleash SDK's engine on thousands of generated cases."""

import pytest

from tminus_client.engine import FlagEngine

from support.generated import StateGenerator
from support.reference import ReferenceEngine

SEEDS = range(6)


@pytest.mark.parametrize("seed", SEEDS)
def test_is_enabled_for_generated_flags_and_contexts_matches_unleash_sdk(seed):
    generator = StateGenerator(seed)
    state = generator.state(flag_count=40)
    ours, reference = FlagEngine(state), ReferenceEngine(state)
    contexts = [generator.context() for _ in range(150)]

    mismatches = [
        (name, context)
        for name in ours.names()
        for context in contexts
        if ours.is_enabled(name, context) != reference.is_enabled(name, context)
    ]

    assert mismatches == []
    assert ours.errors.count == 0


@pytest.mark.parametrize("seed", SEEDS)
def test_get_variant_for_generated_flags_and_contexts_matches_unleash_sdk(seed):
    generator = StateGenerator(seed)
    state = generator.state(flag_count=40)
    ours, reference = FlagEngine(state), ReferenceEngine(state)
    contexts = [generator.context() for _ in range(150)]

    mismatches = [
        (name, context, ours.get_variant(name, context), reference.get_variant(name, context))
        for name in ours.names()
        for context in contexts
        if ours.get_variant(name, context) != reference.get_variant(name, context)
    ]

    assert mismatches == []


def test_generated_cases_when_evaluated_cover_both_outcomes_and_several_variants():
    generator = StateGenerator(0)
    engine = FlagEngine(generator.state(flag_count=40))
    contexts = [generator.context() for _ in range(150)]

    outcomes = {engine.is_enabled(name, c) for name in engine.names() for c in contexts}
    variants = {engine.get_variant(name, c)["name"] for name in engine.names() for c in contexts}

    assert outcomes == {True, False}
    assert {"disabled", "v0", "v1", "v2"} <= variants
