"""Delta events (the streaming and delta API format) applied to a loaded state."""

import copy

import pytest

from tminus_client.engine import FlagEngine, StateError, apply_delta

from support.flags import constraint, flag, state_with, strategy

SEGMENT = {"id": 1, "constraints": [constraint("plan", "IN", ["pro"])]}
SEGMENTED = flag("segmented", {"name": "default", "segments": [1]})
PRO = {"properties": {"plan": "pro"}}
ENTERPRISE = {"properties": {"plan": "enterprise"}}


def updated(feature):
    return {"type": "feature-updated", "feature": feature}


def test_feature_updated_event_adds_a_flag_and_keeps_the_others():
    engine = FlagEngine(state_with(flag("a")))

    engine.apply_delta({"events": [updated(flag("b"))]})

    assert engine.is_enabled("a") and engine.is_enabled("b")


def test_feature_updated_event_replaces_an_existing_flag():
    engine = FlagEngine(state_with(flag("a")))

    engine.apply_delta({"events": [updated(flag("a", enabled=False))]})

    assert not engine.is_enabled("a")


def test_feature_removed_event_removes_the_flag():
    engine = FlagEngine(state_with(flag("a"), flag("b")))

    engine.apply_delta({"events": [{"type": "feature-removed", "featureName": "a"}]})

    assert engine.names() == ["b"]


def test_segment_updated_event_reevaluates_flags_using_the_segment():
    engine = FlagEngine(state_with(SEGMENTED, segments=[SEGMENT]))
    assert engine.is_enabled("segmented", PRO) and not engine.is_enabled("segmented", ENTERPRISE)

    changed = {"id": 1, "constraints": [constraint("plan", "IN", ["enterprise"])]}
    engine.apply_delta([{"type": "segment-updated", "segment": changed}])

    assert engine.is_enabled("segmented", ENTERPRISE) and not engine.is_enabled("segmented", PRO)


def test_segment_removed_event_turns_strategies_using_it_off():
    engine = FlagEngine(state_with(SEGMENTED, segments=[SEGMENT]))

    engine.apply_delta([{"type": "segment-removed", "segmentId": 1}])

    assert not engine.is_enabled("segmented", PRO)


def test_hydration_event_replaces_every_flag_and_segment():
    engine = FlagEngine(state_with(flag("old")))

    engine.apply_delta([{"type": "hydration", "features": [SEGMENTED], "segments": [SEGMENT]}])

    assert engine.names() == ["segmented"]
    assert engine.is_enabled("segmented", PRO)


def test_delta_with_one_malformed_event_changes_nothing():
    engine = FlagEngine(state_with(flag("a")))

    with pytest.raises(StateError):
        engine.apply_delta([updated(flag("b")), {"type": "feature-updated", "feature": {}}])

    assert engine.names() == ["a"]


def test_delta_event_of_unknown_type_is_skipped():
    engine = FlagEngine(state_with(flag("a")))

    engine.apply_delta([{"type": "something-new", "eventId": 3}, updated(flag("b"))])

    assert sorted(engine.names()) == ["a", "b"]


def test_event_id_follows_the_last_event_applied():
    engine = FlagEngine(state_with(flag("a")))

    engine.apply_delta([
        {**updated(flag("b")), "eventId": 41},
        {**updated(flag("c")), "eventId": 42},
    ])

    assert engine.event_id == 42


def test_apply_delta_function_returns_new_state_and_leaves_input_untouched():
    state = state_with(flag("a"), segments=[SEGMENT])
    original = copy.deepcopy(state)

    result = apply_delta(state, {"events": [updated(flag("b")), {
        "type": "feature-removed", "featureName": "a"}]})

    assert state == original
    assert [f["name"] for f in result["features"]] == ["b"]
    assert result["segments"] == [SEGMENT]


def test_engine_state_returns_what_was_loaded_and_updated():
    engine = FlagEngine(state_with(flag("a", strategy("default")), segments=[SEGMENT]))

    engine.apply_delta([updated(flag("b"))])

    assert engine.state() == state_with(flag("a", strategy("default")), flag("b"),
                                        segments=[SEGMENT])


def test_load_of_delta_payload_builds_state_from_its_events():
    engine = FlagEngine()

    engine.load({"events": [{"type": "hydration", "eventId": 9, "features": [flag("a")]}]})

    assert engine.is_enabled("a") and engine.event_id == 9
