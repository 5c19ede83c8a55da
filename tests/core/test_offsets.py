import pytest

from tminus.core.offsets import format_offset, parse_offset


@pytest.mark.parametrize("text, days", [
    ("T-28d", -28), ("T+14d", 14), ("T-0", 0), ("T", 0), ("t-2w", -14), ("T + 3", 3),
])
def test_parse_offset_with_valid_notation_returns_days(text, days):
    assert parse_offset(text) == days


@pytest.mark.parametrize("text", ["28", "T-", "T-3x", "next week", "", "T-99999d"])
def test_parse_offset_with_nonsense_raises_value_error_with_hint(text):
    with pytest.raises(ValueError, match="T-"):
        parse_offset(text)


@pytest.mark.parametrize("days, text", [(-28, "T-28d"), (0, "T-0"), (14, "T+14d")])
def test_format_offset_round_trips(days, text):
    assert format_offset(days) == text
    assert parse_offset(text) == days
