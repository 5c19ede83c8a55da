"""Percentage rollouts: Unleash's bucketing formula, stable as the percentage grows."""

from tminus_client.engine import VARIANT_SEED, FlagEngine, normalized_hash

from support.flags import flag, rollout, state_with, strategy

USERS = [{"userId": f"user-{n}"} for n in range(5000)]


def enabled_users(percent: int, **options) -> set[str]:
    engine = FlagEngine(state_with(flag("f", rollout(percent, **options))))
    return {c["userId"] for c in USERS if engine.is_enabled("f", c)}


def test_normalized_hash_gives_the_values_every_unleash_sdk_gives():
    assert normalized_hash("123", "gr1") == 73
    assert normalized_hash("999", "groupX") == 25
    assert normalized_hash("123", "gr1", 1000, VARIANT_SEED) == 796


def test_flexible_rollout_at_10_percent_keeps_users_when_raised_to_50():
    at_10, at_50 = enabled_users(10), enabled_users(50)

    assert at_10 < at_50


def test_flexible_rollout_at_10_percent_enables_about_a_tenth_of_users():
    share = len(enabled_users(10)) / len(USERS)

    assert 0.08 < share < 0.12


def test_flexible_rollout_user_enabled_exactly_when_bucket_is_within_percentage():
    engine = FlagEngine(state_with(flag("f", rollout(30, group_id="grp"))))

    for context in USERS[:500]:
        bucket = normalized_hash(context["userId"], "grp")
        assert engine.is_enabled("f", context) == (bucket <= 30)


def test_flexible_rollout_with_different_group_ids_picks_different_users():
    assert enabled_users(20, group_id="a") != enabled_users(20, group_id="b")


def test_flexible_rollout_without_group_id_hashes_on_flag_name():
    engine = FlagEngine(state_with(
        flag("checkout", strategy("flexibleRollout", rollout="30", stickiness="userId"))
    ))

    for context in USERS[:300]:
        expected = normalized_hash(context["userId"], "checkout") <= 30
        assert engine.is_enabled("checkout", context) == expected


def test_flexible_rollout_on_custom_field_without_that_field_is_off():
    engine = FlagEngine(state_with(flag("f", rollout(100, stickiness="tenant"))))

    assert engine.is_enabled("f", {"properties": {"tenant": "acme"}})
    assert not engine.is_enabled("f", {"userId": "1"})


def test_flexible_rollout_default_stickiness_without_ids_decides_at_random():
    engine = FlagEngine(state_with(flag("f", rollout(50, stickiness="default"))))

    answers = {engine.is_enabled("f", {}) for _ in range(200)}

    assert answers == {True, False}


def test_flexible_rollout_default_stickiness_falls_back_to_session_id():
    engine = FlagEngine(state_with(flag("f", rollout(40, stickiness="default", group_id="g"))))

    for n in range(300):
        session = f"s-{n}"
        expected = normalized_hash(session, "g") <= 40
        assert engine.is_enabled("f", {"sessionId": session}) == expected


def test_random_rollout_at_0_is_never_on_and_at_100_always_on():
    engine = FlagEngine(state_with(
        flag("none", strategy("gradualRolloutRandom", percentage="0")),
        flag("all", strategy("gradualRolloutRandom", percentage="100")),
    ))

    assert not any(engine.is_enabled("none") for _ in range(200))
    assert all(engine.is_enabled("all") for _ in range(200))


def test_gradual_rollout_session_id_uses_session_and_group():
    engine = FlagEngine(state_with(
        flag("f", strategy("gradualRolloutSessionId", percentage="25", groupId="grp"))
    ))

    for n in range(300):
        expected = normalized_hash(str(n), "grp") <= 25
        assert engine.is_enabled("f", {"sessionId": str(n)}) == expected
