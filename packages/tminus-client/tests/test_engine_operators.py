"""Constraint operators beyond the specification's cases."""

from datetime import UTC, datetime, timedelta

import pytest

from tminus_client.engine import FlagEngine

from support.flags import constraint, flag, state_with, strategy


def matches(rule: dict, context: dict) -> bool:
    engine = FlagEngine(state_with(flag("f", strategy("default", [rule]))))
    return engine.is_enabled("f", context)


def props(**values) -> dict:
    return {"properties": values}


@pytest.mark.parametrize(
    ("version", "expected"),
    [
        ("2.0.0-alpha", True),
        ("2.0.0-alpha.1", True),
        ("2.0.0-alpha.beta", True),
        ("2.0.0-beta.2", True),
        ("2.0.0-beta.11", False),
        ("2.0.0-rc.1", False),
        ("2.0.0", False),
        ("1.9.9", True),
    ],
)
def test_semver_lt_orders_prereleases_by_semver_precedence(version, expected):
    assert matches(constraint("v", "SEMVER_LT", "2.0.0-beta.11"), props(v=version)) is expected


def test_semver_eq_ignores_build_metadata_and_rejects_leading_v():
    rule = constraint("v", "SEMVER_EQ", "1.0.0+build.1")

    assert matches(rule, props(v="1.0.0+build.2"))
    assert not matches(rule, props(v="v1.0.0"))


def test_date_after_compares_instants_across_offsets():
    rule = constraint("currentTime", "DATE_AFTER", "2025-01-01T12:00:00Z")

    assert matches(rule, {"currentTime": "2025-01-01T13:30:00+01:00"})
    assert not matches(rule, {"currentTime": "2025-01-01T12:30:00+01:00"})


def test_date_before_without_current_time_uses_now():
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    yesterday = (datetime.now(UTC) - timedelta(days=1)).isoformat()

    assert matches(constraint("currentTime", "DATE_BEFORE", tomorrow), {})
    assert not matches(constraint("currentTime", "DATE_BEFORE", yesterday), {})


def test_date_constraint_accepts_datetime_objects_and_treats_naive_ones_as_utc():
    rule = constraint("currentTime", "DATE_AFTER", "2025-01-01T00:00:00Z")

    assert matches(rule, {"currentTime": datetime(2025, 6, 1, tzinfo=UTC)})
    assert matches(rule, {"currentTime": datetime(2025, 6, 1)})
    assert not matches(rule, {"currentTime": "2025-06-01T00:00:00"})


def test_date_constraint_on_other_field_without_value_is_off():
    assert not matches(constraint("signedUpAt", "DATE_BEFORE", "2999-01-01T00:00:00Z"), {})


@pytest.mark.parametrize(("value", "expected"), [("7", True), ("7.0", True), (" 7", False),
                                                 ("7_0", False), ("seven", False), ("", False)])
def test_num_eq_parses_numbers_strictly(value, expected):
    assert matches(constraint("n", "NUM_EQ", "7"), props(n=value)) is expected


def test_string_operators_fold_case_only_when_asked():
    starts = constraint("email", "STR_STARTS_WITH", ["ADMIN"])
    folded = constraint("email", "STR_STARTS_WITH", ["ADMIN"], caseInsensitive=True)

    assert not matches(starts, props(email="admin@example.com"))
    assert matches(folded, props(email="admin@example.com"))


def test_in_ignores_case_insensitive_flag_as_unleash_does():
    rule = constraint("country", "IN", ["NO"], caseInsensitive=True)

    assert not matches(rule, props(country="no"))


def test_in_cidr_matches_ipv4_and_ipv6_ranges_and_skips_bad_entries():
    rule = constraint("remoteAddress", "IN_CIDR", ["garbage", "10.0.0.0/8", "2001:db8::/32"])

    assert matches(rule, {"remoteAddress": "10.20.30.40"})
    assert matches(rule, {"remoteAddress": "2001:db8::7"})
    assert not matches(rule, {"remoteAddress": "11.0.0.1"})
    assert not matches(rule, {"remoteAddress": "not an ip"})


def test_remote_address_strategy_matches_listed_addresses_and_ranges():
    engine = FlagEngine(state_with(flag("f", strategy("remoteAddress", IPs="1.2.3.4, 10.0.0.0/8"))))

    assert engine.is_enabled("f", {"remoteAddress": "1.2.3.4"})
    assert engine.is_enabled("f", {"remoteAddress": "10.9.8.7"})
    assert not engine.is_enabled("f", {"remoteAddress": "1.2.3.5"})


def test_application_hostname_strategy_compares_host_names_ignoring_case():
    state = state_with(flag("f", strategy("applicationHostname", hostNames="web-1, API-2")))

    assert FlagEngine(state, hostname="api-2").is_enabled("f")
    assert not FlagEngine(state, hostname="worker-1").is_enabled("f")


def test_regex_applies_inline_flags_until_end_of_group_like_unleash():
    assert matches(constraint("userId", "REGEX", "^a(?i)bc$"), {"userId": "aBC"})
    assert not matches(constraint("userId", "REGEX", "^a(?i)bc$"), {"userId": "ABC"})


def test_regex_dollar_does_not_match_before_trailing_newline():
    assert not matches(constraint("userId", "REGEX", "^abc$"), {"userId": "abc\n"})


def test_inverted_constraint_on_missing_field_matches():
    assert matches(constraint("plan", "STR_CONTAINS", ["pro"], inverted=True), {})


def test_unknown_operator_stays_off_even_when_inverted():
    assert not matches(constraint("plan", "NOT_AN_OPERATOR", ["x"], inverted=True), {})


def test_standard_field_in_properties_is_found_when_top_level_is_missing():
    assert matches(constraint("userId", "IN", ["7"]), props(userId="7"))


def test_custom_field_at_top_level_is_found_when_properties_lack_it():
    assert matches(constraint("tenant", "IN", ["acme"]), {"tenant": "acme"})
