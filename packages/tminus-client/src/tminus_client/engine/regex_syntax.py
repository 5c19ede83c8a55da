"""The REGEX constraint operator's pattern language, compiled with Python's ``re``.

Unleash SDKs evaluate REGEX constraints with Rust's ``regex`` crate. Its syntax is close to
Python's but differs in ways that change results: flags such as ``(?i)`` may appear mid-pattern
and last until the end of the enclosing group, ``$`` matches only at the very end of the text,
POSIX classes like ``[[:alpha:]]`` exist, and look-around or back-references do not. A pattern is
therefore translated before it is compiled. Anything that Rust's engine rejects, or that has no
faithful translation, raises :class:`UnsupportedRegexError`, so the constraint never matches.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import ClassVar

__all__ = ["UnsupportedRegexError", "compile_regex", "translate"]


class UnsupportedRegexError(ValueError):
    """The pattern is not valid in the REGEX operator's syntax, or cannot be evaluated here."""


def compile_regex(pattern: str, *, ignore_case: bool = False) -> re.Pattern[str]:
    """Compile a REGEX-operator pattern; raise :class:`UnsupportedRegexError` when it cannot be."""
    if not isinstance(pattern, str):
        raise UnsupportedRegexError(f"pattern must be a string, not {type(pattern).__name__}")
    translated = translate(pattern, ignore_case=ignore_case)
    try:
        return re.compile(translated, re.IGNORECASE if ignore_case else 0)
    except re.error as exc:
        raise UnsupportedRegexError(f"does not compile: {exc.msg}") from None


def translate(pattern: str, *, ignore_case: bool = False) -> str:
    """Return the Python ``re`` pattern equivalent to a Rust ``regex`` pattern."""
    return _Translator(pattern, ignore_case).run()


# ASCII-only, as in Rust's regex crate.
_POSIX_CLASSES = {
    "alnum": "0-9A-Za-z",
    "alpha": "A-Za-z",
    "ascii": "\\x00-\\x7F",
    "blank": "\\t ",
    "cntrl": "\\x00-\\x1F\\x7F",
    "digit": "0-9",
    "graph": "!-~",
    "lower": "a-z",
    "print": " -~",
    "punct": "!-/:-@\\[-`{-~",
    "space": "\\t\\n\\x0B\\f\\r ",
    "upper": "A-Z",
    "word": "0-9A-Za-z_",
    "xdigit": "0-9A-Fa-f",
}
_POSIX_CLASS = re.compile(r"\[:(\^?)([a-z]+):\]")
_LONE_NEGATED_POSIX_CLASS = re.compile(r"\[\[:\^([a-z]+):\]\]")
_FLAG_GROUP = re.compile(r"\(\?([a-zA-Z]*)(?:-([a-zA-Z]*))?([:)])")
_NAMED_GROUP = re.compile(r"\(\?P?<([A-Za-z_][A-Za-z0-9_]*)>")
_REPETITION = re.compile(r"\{([0-9]+)(,([0-9]*))?\}")
_HEX_BRACED = re.compile(r"\{([0-9A-Fa-f]{1,8})\}")
_WORD_BOUNDARIES = {
    "{start}": r"\b(?=\w)",
    "{end}": r"\b(?<=\w)",
    "{start-half}": r"(?<!\w)",
    "{end-half}": r"(?!\w)",
}
_SIMPLE_ESCAPES = frozenset("dDwWsSbBAafnrtv")
_CLASS_ESCAPES = frozenset("dDwWsSafnrtv")
_FIXED_HEX_DIGITS = {"x": 2, "u": 4, "U": 8}
_UNSUPPORTED_GROUPS = (
    ("(?=", "look-ahead is not supported"),
    ("(?!", "look-ahead is not supported"),
    ("(?<=", "look-behind is not supported"),
    ("(?<!", "look-behind is not supported"),
    ("(?>", "atomic groups are not supported"),
    ("(?#", "comment groups are not supported"),
    ("(?P=", "back-references are not supported"),
    ("(?(", "conditional groups are not supported"),
)


@dataclass
class _Scope:
    """One level of parentheses: the flags in force, and flag groups opened inside it.

    Rust's ``a(?i)b|c`` applies ``i`` to the rest of the group, across ``|``. Python only has
    scoped flags, so it becomes ``a(?i:b)|(?i:c)``: ``wraps`` holds the prefixes to close at
    ``|`` or ``)`` and to reopen after ``|``.
    """

    flags: frozenset[str]
    wraps: list[str] = field(default_factory=list)


class _Translator:
    def __init__(self, pattern: str, ignore_case: bool) -> None:
        self.src = pattern
        self.pos = 0
        self.out: list[str] = []
        self.scopes = [_Scope(frozenset("i") if ignore_case else frozenset())]

    def run(self) -> str:
        while self.pos < len(self.src):
            self._step()
        if len(self.scopes) > 1:
            raise UnsupportedRegexError("unclosed group: missing ')'")
        self.out.append(")" * len(self.scopes[0].wraps))
        return "".join(self.out)

    @property
    def flags(self) -> frozenset[str]:
        return self.scopes[-1].flags

    def _step(self) -> None:
        char = self.src[self.pos]
        if "x" in self.flags and self._skip_verbose_whitespace():
            return
        handler = self._HANDLERS.get(char)
        if handler is not None:
            handler(self)
        else:
            self.out.append(char)
            self.pos += 1

    def _skip_verbose_whitespace(self) -> bool:
        char = self.src[self.pos]
        if char.isspace():
            self.pos += 1
            return True
        if char == "#":
            end = self.src.find("\n", self.pos)
            self.pos = len(self.src) if end < 0 else end + 1
            return True
        return False

    # -- anchors, dot and alternation -------------------------------------------------------

    def _caret(self) -> None:
        self.out.append("(?m:^)" if "m" in self.flags else "^")
        self.pos += 1

    def _dollar(self) -> None:
        # Without the m flag, Rust's $ matches only at the end; Python's also before a final \n.
        self.out.append("(?m:$)" if "m" in self.flags else r"\Z")
        self.pos += 1

    def _dot(self) -> None:
        self.out.append("(?s:.)" if "s" in self.flags else ".")
        self.pos += 1

    def _alternation(self) -> None:
        wraps = self.scopes[-1].wraps
        self.out.append(")" * len(wraps) + "|" + "".join(wraps))
        self.pos += 1

    # -- repetition -------------------------------------------------------------------------

    def _quantifier(self) -> None:
        self.out.append(self.src[self.pos])
        self.pos += 1
        self._quantifier_suffix()

    def _braces(self) -> None:
        match = _REPETITION.match(self.src, self.pos)
        if match is None:
            raise UnsupportedRegexError(
                "'{' must start a repetition such as {2}, {2,} or {2,5}; write \\{ for a brace"
            )
        low, high = match.group(1), match.group(3)
        if high and int(high) < int(low):
            raise UnsupportedRegexError(f"repetition {match.group(0)} has its bounds reversed")
        self.out.append(match.group(0))
        self.pos = match.end()
        self._quantifier_suffix()

    def _quantifier_suffix(self) -> None:
        if self.src.startswith("?", self.pos):
            self.out.append("?")
            self.pos += 1
        elif self.src.startswith("+", self.pos):
            raise UnsupportedRegexError("possessive quantifiers are not supported")

    # -- groups -----------------------------------------------------------------------------

    def _open_group(self) -> None:
        if not self.src.startswith("(?", self.pos):
            self._push("(", self.flags)
            self.pos += 1
            return
        named = _NAMED_GROUP.match(self.src, self.pos)
        if named:
            self._push(f"(?P<{named.group(1)}>", self.flags)
            self.pos = named.end()
            return
        for prefix, message in _UNSUPPORTED_GROUPS:
            if self.src.startswith(prefix, self.pos):
                raise UnsupportedRegexError(message)
        flag_group = _FLAG_GROUP.match(self.src, self.pos)
        if flag_group is None:
            raise UnsupportedRegexError(f"unsupported group syntax at position {self.pos}")
        self._flag_group(*flag_group.groups())
        self.pos = flag_group.end()

    def _flag_group(self, enabled: str, disabled: str | None, terminator: str) -> None:
        old = self.flags
        new = _apply_flags(old, enabled, disabled or "")
        prefix = _python_flag_prefix(old, new)
        if terminator == ":":
            self._push(prefix, new)
        else:
            scope = self.scopes[-1]
            scope.flags = new
            scope.wraps.append(prefix)
            self.out.append(prefix)

    def _push(self, opener: str, flags: frozenset[str]) -> None:
        self.out.append(opener)
        self.scopes.append(_Scope(flags))

    def _close_group(self) -> None:
        if len(self.scopes) == 1:
            raise UnsupportedRegexError("unbalanced ')'")
        scope = self.scopes.pop()
        self.out.append(")" * (len(scope.wraps) + 1))
        self.pos += 1

    # -- escapes ----------------------------------------------------------------------------

    def _escape(self) -> None:
        letter = self._escaped_letter()
        if letter == "b" and self.src.startswith("{", self.pos + 2):
            self._word_boundary()
        elif letter in _SIMPLE_ESCAPES:
            self._emit_escape("\\" + letter)
        elif letter == "z":
            self._emit_escape(r"\Z")
        elif letter in "<>":
            self._emit_escape(r"\b(?=\w)" if letter == "<" else r"\b(?<=\w)")
        else:
            self.out.append(self._shared_escape(letter))

    def _class_escape(self) -> str:
        letter = self._escaped_letter()
        if letter in _CLASS_ESCAPES:
            self.pos += 2
            return "\\" + letter
        return self._shared_escape(letter)

    def _shared_escape(self, letter: str) -> str:
        """Escapes that mean the same inside and outside a character class."""
        if letter in _FIXED_HEX_DIGITS:
            return self._hex_escape(letter)
        if letter.isdigit():
            raise UnsupportedRegexError(
                f"back-references and octal escapes (\\{letter}) are not supported"
            )
        if letter in "pP":
            raise UnsupportedRegexError(f"Unicode property classes (\\{letter}) are not supported")
        if letter.isascii() and letter.isalnum():
            raise UnsupportedRegexError(f"unsupported escape \\{letter}")
        self.pos += 2
        return re.escape(letter)

    def _escaped_letter(self) -> str:
        if self.pos + 1 >= len(self.src):
            raise UnsupportedRegexError("pattern ends with a lone backslash")
        return self.src[self.pos + 1]

    def _emit_escape(self, text: str) -> None:
        self.out.append(text)
        self.pos += 2

    def _word_boundary(self) -> None:
        rest = self.src[self.pos + 2 :]
        for spelling, translation in _WORD_BOUNDARIES.items():
            if rest.startswith(spelling):
                self.out.append(translation)
                self.pos += 2 + len(spelling)
                return
        raise UnsupportedRegexError("unknown word boundary assertion \\b{...}")

    def _hex_escape(self, letter: str) -> str:
        start = self.pos + 2
        braced = _HEX_BRACED.match(self.src, start)
        if braced:
            digits, self.pos = braced.group(1), braced.end()
        else:
            width = _FIXED_HEX_DIGITS[letter]
            digits = self.src[start : start + width]
            if len(digits) != width or not all(c in "0123456789abcdefABCDEF" for c in digits):
                raise UnsupportedRegexError(f"\\{letter} needs {width} hex digits or {{...}}")
            self.pos = start + width
        code_point = int(digits, 16)
        if code_point > 0x10FFFF:
            raise UnsupportedRegexError(f"\\{letter}{{{digits}}} is not a Unicode code point")
        return f"\\U{code_point:08x}"

    # -- character classes ------------------------------------------------------------------

    def _char_class(self) -> None:
        lone_negated = _LONE_NEGATED_POSIX_CLASS.match(self.src, self.pos)
        if lone_negated:
            self.out.append(f"[^{_posix_class(lone_negated.group(1))}]")
            self.pos = lone_negated.end()
            return
        self.pos += 1
        parts = ["["]
        if self.src.startswith("^", self.pos):
            parts.append("^")
            self.pos += 1
        first = True
        while True:
            if self.pos >= len(self.src):
                raise UnsupportedRegexError("unclosed character class: missing ']'")
            char = self.src[self.pos]
            if char == "]" and not first:
                break
            parts.append(self._class_item(char, first))
            first = False
        parts.append("]")
        self.out.append("".join(parts))
        self.pos += 1

    def _class_item(self, char: str, first: bool) -> str:
        if "x" in self.flags and char.isspace():
            self.pos += 1
            return ""
        if char == "\\":
            return self._class_escape()
        if char == "[":
            return self._posix_item()
        if self.src.startswith(("&&", "--", "~~"), self.pos):
            raise UnsupportedRegexError("class set operations (&&, --, ~~) are not supported")
        self.pos += 1
        # A leading ']' is a literal in both dialects; '[' and '^' are escaped for Python.
        return "\\" + char if char in "[]^" else char

    def _posix_item(self) -> str:
        match = _POSIX_CLASS.match(self.src, self.pos)
        if match is None:
            raise UnsupportedRegexError("nested character classes are not supported")
        if match.group(1):
            raise UnsupportedRegexError("a negated POSIX class must be the only item in its class")
        self.pos = match.end()
        return _posix_class(match.group(2))

    _HANDLERS: ClassVar[dict[str, Callable[["_Translator"], None]]] = {
        "\\": _escape,
        "[": _char_class,
        "(": _open_group,
        ")": _close_group,
        "|": _alternation,
        "^": _caret,
        "$": _dollar,
        ".": _dot,
        "*": _quantifier,
        "+": _quantifier,
        "?": _quantifier,
        "{": _braces,
    }


def _posix_class(name: str) -> str:
    try:
        return _POSIX_CLASSES[name]
    except KeyError:
        raise UnsupportedRegexError(f"unknown POSIX class [:{name}:]") from None


def _apply_flags(flags: frozenset[str], enabled: str, disabled: str) -> frozenset[str]:
    """Apply Rust inline flags; 'a' stands for Rust's (?-u), ASCII-only classes."""
    if not enabled and not disabled:
        raise UnsupportedRegexError("empty flag group")
    for letter in enabled + disabled:
        if letter in "UR":
            raise UnsupportedRegexError(f"the {letter} flag is not supported")
        if letter not in "imsxu":
            raise UnsupportedRegexError(f"unknown flag {letter!r}")
    result = set(flags)
    result.update(letter for letter in enabled if letter != "u")
    result.difference_update(letter for letter in disabled if letter != "u")
    if "u" in disabled:
        result.add("a")
    if "u" in enabled and "a" in flags:
        raise UnsupportedRegexError("re-enabling Unicode inside (?-u) is not supported")
    return frozenset(result)


def _python_flag_prefix(old: frozenset[str], new: frozenset[str]) -> str:
    """The Python scoped-flag group opener that turns ``old`` into ``new``.

    Only i and a are passed to Python; m, s and x are applied by the translation itself.
    """
    on = "".join(sorted(flag for flag in "ai" if flag in new and flag not in old))
    off = "i" if "i" in old and "i" not in new else ""
    return f"(?{on}-{off}:" if off else f"(?{on}:"
