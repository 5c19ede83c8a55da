"""Strict Semantic Versioning 2.0.0 parsing, ordered by the spec's precedence rules."""

import re

_NUMBER = r"0|[1-9][0-9]*"
_IDENTIFIER = rf"(?:{_NUMBER}|[0-9]*[a-zA-Z-][0-9a-zA-Z-]*)"
_SEMVER = re.compile(
    rf"({_NUMBER})\.({_NUMBER})\.({_NUMBER})"
    rf"(?:-({_IDENTIFIER}(?:\.{_IDENTIFIER})*))?"
    r"(?:\+[0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*)?"
)

# A release ranks above every pre-release of the same version.
_RELEASE = (1,)

SemverKey = tuple


def parse_semver(text: str) -> SemverKey | None:
    """Return a sortable key for a strict semantic version, or None if ``text`` is not one.

    Build metadata is accepted and ignored, as precedence requires; a leading ``v`` is rejected.
    """
    match = _SEMVER.fullmatch(text)
    if match is None:
        return None
    major, minor, patch, prerelease = match.groups()
    return int(major), int(minor), int(patch), _prerelease_key(prerelease)


def _prerelease_key(prerelease: str | None) -> tuple:
    if prerelease is None:
        return _RELEASE
    # Numeric identifiers rank below alphanumeric ones and compare as numbers; a shorter list
    # of identifiers ranks lower when it is a prefix of the longer one (tuple order does that).
    identifiers = tuple(
        (0, int(part), "") if part.isdigit() else (1, 0, part) for part in prerelease.split(".")
    )
    return (0, identifiers)
