"""Validating strategies and states before they are saved: clear messages, nothing missed."""

import pytest

from tminus_client.engine import validate_constraint, validate_state, validate_strategy

from support.flags import constraint, flag, rollout, state_with, strategy
from support.spec import load_spec_files


def test_valid_strategy_has_no_problems():
    assert validate_strategy(rollout(25, stickiness="default")) == []


def test_rollout_that_is_not_a_number_is_reported_with_its_field():
    problems = validate_strategy(strategy("flexibleRollout", rollout="abc", stickiness="userId"))

    assert problems == ["parameters.rollout: 'abc' is not a whole number from 0 to 100"]


@pytest.mark.parametrize("value", ["101", "-5", "10.5", " 10", ""])
def test_rollout_outside_whole_percentages_is_reported(value):
    problems = validate_strategy(strategy("flexibleRollout", rollout=value))

    assert problems == [f"parameters.rollout: {value!r} is not a whole number from 0 to 100"]


def test_regex_that_does_not_compile_is_reported_with_the_reason():
    problems = validate_strategy(strategy("default", [constraint("email", "REGEX", "(abc")]))

    assert problems == [
        "constraints[0].value: regex '(abc': unclosed group: missing ')'"
    ]


def test_regex_using_unsupported_syntax_is_reported():
    problems = validate_constraint(constraint("email", "REGEX", "^(?=a)"))

    assert problems == ["value: regex '^(?=a)': look-ahead is not supported"]


def test_unknown_operator_is_reported_with_the_operators_that_exist():
    problems = validate_constraint(constraint("plan", "LIKE", ["pro%"]))

    assert len(problems) == 1
    assert problems[0].startswith("operator: unknown operator 'LIKE'; expected one of IN, NOT_IN")


def test_unknown_strategy_is_reported_unless_declared_custom():
    unknown = strategy("byRegion", regions="eu")

    assert validate_strategy(unknown)[0].startswith("name: unknown strategy 'byRegion'")
    assert validate_strategy(unknown, custom_strategies=["byRegion"]) == []


@pytest.mark.parametrize(
    ("rule", "problem"),
    [
        (constraint("age", "NUM_GT", "old"), "value: 'old' is not a number"),
        (constraint("at", "DATE_AFTER", "tomorrow"),
         "value: 'tomorrow' is not an ISO 8601 date-time with a UTC offset"),
        (constraint("v", "SEMVER_GT", "v1.2"),
         "value: 'v1.2' is not a semantic version such as 1.2.3"),
        (constraint("ip", "IN_CIDR", ["10.0.0.0/8", "10.300.0.0/16"]),
         "values: '10.300.0.0/16' is not an IP address or CIDR range"),
        (constraint("plan", "IN", []), "values: IN needs at least one value"),
        ({"operator": "IN", "values": ["x"]}, "contextName: must be a non-empty string"),
        (constraint("plan", "IN", ["x"], inverted="yes"), "inverted: must be true or false"),
    ],
)
def test_constraint_problem_is_reported_with_its_field(rule, problem):
    assert validate_constraint(rule) == [problem]


def test_user_and_address_lists_that_are_empty_or_malformed_are_reported():
    assert validate_strategy(strategy("userWithId", userIds=" , ")) == [
        "parameters.userIds: needs at least one user id"
    ]
    assert validate_strategy(strategy("remoteAddress", IPs="10.0.0.1, 10.0.0.x")) == [
        "parameters.IPs: '10.0.0.x' is not an IP address or CIDR range"
    ]
    assert validate_strategy(strategy("userWithId")) == ["parameters.userIds: is required"]


def test_strategy_referring_to_missing_segment_is_reported_when_segments_given():
    problems = validate_strategy({"name": "default", "segments": [1, 2]}, segments={1: {}})

    assert problems == ["segments: segment 2 does not exist"]


def test_strategy_variants_with_bad_weight_and_payload_are_reported():
    broken = {**rollout(100), "variants": [
        {"name": "a", "weight": -1},
    ]}
    bad_payload = {**rollout(100), "variants": [
        {"name": "a", "weight": 1, "payload": {"type": "json", "value": "{nope"}},
    ]}

    assert validate_strategy(broken) == ["variants[0].weight: must be a whole number of at least 0"]
    assert validate_strategy(bad_payload) == ["variants[0].payload.value: is not valid JSON"]


def test_state_problems_name_the_flag_and_the_field():
    state = state_with(
        flag("a", strategy("flexibleRollout", rollout="abc")),
        flag("b", dependencies=[{"feature": "missing"}]),
        flag("c", dependencies=[{"feature": "b"}]),
        flag("d", dependencies=[{"feature": "d"}]),
        flag("e", variants=[
            {"name": "x", "weight": 1, "payload": {"type": "number", "value": "n"}},
        ]),
    )

    assert validate_state(state) == [
        "flag 'a': strategies[0].parameters.rollout: 'abc' is not a whole number from 0 to 100",
        "flag 'b': dependencies[0].feature: flag 'missing' does not exist",
        "flag 'c': dependencies[0].feature: flag 'b' has parents of its own; "
        "only one level of dependencies is supported",
        "flag 'd': dependencies[0].feature: a flag cannot depend on itself",
        "flag 'e': variants[0].payload.value: 'n' is not a number",
    ]


def test_state_with_duplicate_flag_names_and_bad_segment_is_reported():
    state = state_with(flag("a"), flag("a"),
                       segments=[{"id": 3, "constraints": [constraint("n", "NUM_LT", "x")]}])

    assert validate_state(state) == [
        "flag 'a': appears more than once",
        "segment 3: constraints[0].value: 'x' is not a number",
    ]


def test_state_with_wrong_shape_is_reported_without_raising():
    assert validate_state({"features": "nope"}) == ["features must be a list"]
    assert validate_state([]) == ["a features state must be a JSON object"]


def test_specification_states_are_valid_except_their_deliberate_edge_cases():
    problems = [p for _, spec in load_spec_files() for p in validate_state(spec["state"])]

    flagged = sorted({problem.split("'")[1] for problem in problems})
    assert flagged == [
        "CIDR.invalid.only",
        "CIDR.ipv6.mixed.values",
        "CIDR.mixed.values",
        "F7.invalid-operator",
        "F8.invalidSemverWithLeadingV",
        "F9.withMissingSegment",
        "Feature.constraints.empty",
        "Feature.constraints.empty-not-in",
        "Feature.constraints.no_values",
        "Feature.constraints.no_values_NOT_IN",
        "Feature.remoteAddress.C",
        "R90.reject_lookahead",
        "R91.reject_backreference",
        "child.with.cycle",
        "child.with.transitive.dependency",
        "invalid-regex-defaults-to-false",
        "parent.with.cycle",
        "parents.not.exist.child.enabled",
    ]
