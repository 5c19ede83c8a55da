"""Variants: weighted sticky draws, overrides, strategy variants and payload shape."""

from collections import Counter

from tminus_client.engine import VARIANT_SEED, FlagEngine, normalized_hash

from support.flags import flag, rollout, state_with, strategy


def variant(name, weight, **extra):
    return {"name": name, "weight": weight, "payload": {"type": "string", "value": name}, **extra}


def test_variant_draw_follows_weights_over_many_users():
    engine = FlagEngine(state_with(flag("f", strategy("default"),
                                        variants=[variant("a", 200), variant("b", 800)])))

    counts = Counter(engine.get_variant("f", {"userId": str(n)})["name"] for n in range(5000))

    assert 0.17 < counts["a"] / 5000 < 0.23


def test_variant_for_a_user_is_the_one_the_variant_hash_points_to():
    engine = FlagEngine(state_with(flag("f", strategy("default"),
                                        variants=[variant("a", 300), variant("b", 700)])))

    for n in range(300):
        bucket = normalized_hash(str(n), "f", 1000, VARIANT_SEED)
        expected = "a" if bucket <= 300 else "b"
        assert engine.get_variant("f", {"userId": str(n)})["name"] == expected


def test_variant_override_wins_over_the_weighted_draw():
    engine = FlagEngine(state_with(flag("f", strategy("default"), variants=[
        variant("a", 1000), variant("vip", 0, overrides=[{"contextName": "userId",
                                                          "values": ["7"]}])])))

    assert engine.get_variant("f", {"userId": "7"})["name"] == "vip"
    assert engine.get_variant("f", {"userId": "8"})["name"] == "a"


def test_strategy_variants_replace_feature_variants_for_the_matching_strategy():
    with_variants = {**rollout(100, group_id="g"), "variants": [variant("from-strategy", 1)]}
    engine = FlagEngine(state_with(flag("f", with_variants, variants=[variant("from-flag", 1)])))

    assert engine.get_variant("f", {"userId": "1"})["name"] == "from-strategy"


def test_first_matching_strategy_without_variants_uses_feature_variants():
    later = {**strategy("default"), "variants": [variant("from-strategy", 1)]}
    engine = FlagEngine(state_with(flag("f", strategy("default"), later,
                                        variants=[variant("from-flag", 1)])))

    assert engine.get_variant("f", {"userId": "1"})["name"] == "from-flag"


def test_variants_with_zero_total_weight_give_disabled_variant_of_enabled_flag():
    engine = FlagEngine(state_with(flag("f", strategy("default"), variants=[variant("a", 0)])))

    assert engine.get_variant("f") == {"name": "disabled", "enabled": False,
                                       "feature_enabled": True}


def test_variant_dict_has_the_unleash_python_sdk_shape():
    engine = FlagEngine(state_with(
        flag("with", strategy("default"), variants=[variant("a", 1)]),
        flag("without", strategy("default"), variants=[{"name": "bare", "weight": 1}]),
    ))

    assert engine.get_variant("with") == {
        "name": "a", "payload": {"type": "string", "value": "a"},
        "enabled": True, "feature_enabled": True,
    }
    assert engine.get_variant("without") == {"name": "bare", "enabled": True,
                                              "feature_enabled": True}
    assert engine.get_variant("unknown") == {"name": "disabled", "enabled": False,
                                              "feature_enabled": False}


def test_variant_stickiness_on_custom_field_keeps_a_tenant_on_one_variant():
    engine = FlagEngine(state_with(flag("f", strategy("default"), variants=[
        variant("a", 1, stickiness="tenant"), variant("b", 1, stickiness="tenant")])))

    names = {engine.get_variant("f", {"userId": str(n), "properties": {"tenant": "acme"}})["name"]
             for n in range(50)}

    assert len(names) == 1
