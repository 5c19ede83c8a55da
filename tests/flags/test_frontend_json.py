"""The frontend API's JSON made from per-flag parts is the JSON of its toggles, byte for byte."""

import json
import random

from tminus_client.engine import FlagEngine

from tminus.flags.evaluation import toggles_json, toggles_of

COUNTRY = {"contextName": "country", "operator": "IN", "values": ["NO", "SE"]}
STATE = {"version": 2, "segments": [], "features": [
    {"name": "plain-on", "enabled": True, "strategies": [{"name": "default"}]},
    {"name": "plain-off", "enabled": False, "strategies": [{"name": "default"}]},
    {"name": "nordic", "enabled": True, "impressionData": True,
     "strategies": [{"name": "default", "constraints": [COUNTRY]}]},
    {"name": "half", "enabled": True, "strategies": [{"name": "flexibleRollout", "parameters": {
        "rollout": "50", "stickiness": "userId", "groupId": "half"}}]},
    {"name": "colours", "enabled": True, "strategies": [{"name": "default"}], "variants": [
        {"name": "blue", "weight": 500, "stickiness": "userId",
         "payload": {"type": "string", "value": "ø"}},
        {"name": "red", "weight": 500, "stickiness": "userId"}]},
    {"name": "strategy-variants", "enabled": True, "strategies": [{
        "name": "flexibleRollout", "constraints": [COUNTRY],
        "parameters": {"rollout": "100", "stickiness": "userId", "groupId": "sv"},
        "variants": [{"name": "a", "weight": 1000, "stickiness": "userId"}]}]},
]}
CONTEXTS = [
    {"userId": str(n), "properties": {"country": country}, "environment": "production"}
    for n in range(40) for country in ("NO", "DE")
] + [{}, {"properties": {"country": "SE"}}]


def test_it_writes_the_same_json_as_the_toggles_for_every_context():
    engine = FlagEngine(STATE)

    for seed, context in enumerate(CONTEXTS * 2):  # the second round reuses the first's parts
        random.seed(seed)  # a context without userId draws its variant: the same draws, twice
        expected = json.dumps({"toggles": toggles_of(engine, context)},
                              separators=(",", ":")).encode()
        random.seed(seed)
        assert toggles_json(engine, context) == expected, context


def test_it_keeps_the_parts_of_one_engine_apart_from_another_engines():
    renamed = json.loads(json.dumps(STATE))
    renamed["features"][0]["impressionData"] = True
    first, second = FlagEngine(STATE), FlagEngine(renamed)
    context = {"userId": "1"}

    toggles_json(first, context)

    assert b'"name":"plain-on","enabled":true,"variant":{"name":"disabled","enabled":false,' \
           b'"feature_enabled":true,"featureEnabled":true},"impressionData":true' \
           in toggles_json(second, context)
