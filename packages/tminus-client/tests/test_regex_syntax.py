"""Translating the REGEX operator's patterns (Rust syntax) into Python's."""

import pytest

from tminus_client.engine import UnsupportedRegexError, compile_regex
from tminus_client.engine.regex_syntax import translate


def found(pattern: str, text: str, ignore_case: bool = False) -> bool:
    return compile_regex(pattern, ignore_case=ignore_case).search(text) is not None


@pytest.mark.parametrize(
    ("pattern", "text", "expected"),
    [
        ("a(?i)b|c", "C", True),
        ("(a(?i)b)c", "aBC", False),
        ("(a(?i)b)c", "aBc", True),
        ("(?i)a(?-i)b", "AB", False),
        ("^[[:alpha:]]+$", "Alpha", True),
        ("^[[:alpha:]]+$", "Alpha1", False),
        ("^[[:^digit:]]+$", "abc", True),
        ("^[^[:space:]]+$", "a b", False),
        ("(?m)^foo$", "x\nfoo\ny", True),
        ("^(?s)a.b$", "a\nb", True),
        ("^a.b$", "a\nb", False),
        ("abc$", "abc\n", False),
        ("^abc\\z", "abc", True),
        ("^\\x{41}\\u0042$", "AB", True),
        ("\\<cat\\>", "a cat", True),
        ("(?x) a b  # spaced out\n c", "abc", True),
        ("^(?<word>\\w+)$", "hello", True),
        ("(?-u:\\w)", "é", False),
    ],
)
def test_pattern_matches_as_rust_regex_would(pattern, text, expected):
    assert found(pattern, text) is expected


def test_case_insensitive_flag_can_be_switched_off_inline():
    assert found("^ABC$", "abc", ignore_case=True)
    assert not found("(?-i)^ABC$", "abc", ignore_case=True)


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ("^(?=a)b$", "look-ahead"),
        ("(?<!a)b", "look-behind"),
        ("^(a)\\1$", "back-references"),
        ("(?>a)", "atomic"),
        ("a++", "possessive"),
        ("\\p{L}", "Unicode property"),
        ("[a-z&&[^b]]", "set operations"),
        ("a{,3}", "repetition"),
        ("(regex", "unclosed group"),
        ("abc)", "unbalanced"),
        ("[abc", "unclosed character class"),
        ("\\Qa.b\\E", "unsupported escape"),
        ("(?U)a+", "U flag"),
    ],
)
def test_pattern_outside_the_supported_syntax_is_rejected_with_reason(pattern, message):
    with pytest.raises(UnsupportedRegexError, match=message):
        compile_regex(pattern)


def test_translation_of_dollar_is_absolute_end_and_of_flag_group_is_scoped():
    assert translate("a(?i)b$") == "a(?i:b\\Z)"
