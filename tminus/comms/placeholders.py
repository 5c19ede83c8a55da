"""Message templates: `{release_name}`-style placeholders, checked and rendered.

Only plain `{name}` placeholders exist (no attribute access or formatting, unlike str.format), and
`{{` / `}}` write a literal brace. A placeholder that is not known is an error, never sent as raw
braces.
"""

import re
from dataclasses import dataclass, field

# Built-in placeholders and what they stand for; shown next to the message form.
BUILTIN_PLACEHOLDERS = {
    "release_name": "The release's name",
    "release_key": "The release's key, e.g. shop-1.1",
    "version": "The release's version",
    "product": "The product's name",
    "go_live": "Go-live date, e.g. Friday 27 March 2026",
    "go_live_iso": "Go-live date as 2026-03-27",
    "days_to_go_live": "Whole days from the sending day to go-live (negative after it)",
    "days_since_go_live": "Whole days from go-live to the sending day (negative before it)",
    "t_minus": "The sending day relative to go-live, e.g. T-14d",
    "release_url": "Link to the release in T-Minus",
    "release_owner": "The release owner's name",
    "release_owner_email": "The release owner's email address",
    "release_status": "The release's status",
    "release_goal": "The release's goal / theme",
    "features": "The release's features and enhancements, one '- ' line each",
    "recipient_name": "The recipient's name ('all' for a channel or an address without a name)",
    "recipient_email": "The recipient's email address (empty for a channel)",
    "event": "The event that triggered the message, e.g. Deployment started",
    "event_reason": "The reason given with that event, if any",
}

PLACEHOLDER_KEY = re.compile(r"^[a-z][a-z0-9_]{0,59}$")
_TOKEN = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")


@dataclass
class Rendered:
    text: str
    unknown: list[str] = field(default_factory=list)  # placeholders nobody defined
    empty: list[str] = field(default_factory=list)  # a release's own placeholder with no value
    malformed: list[str] = field(default_factory=list)  # a lone brace or a bad name

    @property
    def errors(self) -> list[str]:
        """Mistakes in the text itself: refused when saving, reported at preview."""
        messages = [f"Unknown placeholder {{{name}}}." for name in self.unknown]
        return messages + self.malformed

    @property
    def gaps(self) -> list[str]:
        """Values still missing: the text is fine, but it cannot be sent until they are set."""
        return [f"Placeholder {{{name}}} has no value yet; set it under the release's "
                f"placeholder values." for name in self.empty]

    @property
    def ok(self) -> bool:
        return not self.errors and not self.gaps


def placeholders_in(text: str) -> list[str]:
    """The placeholder names a text uses, in order of first use."""
    names: list[str] = []
    for match in _TOKEN.finditer(text or ""):
        name = match.group(1)
        if name is not None and name.strip() not in names:
            names.append(name.strip())
    return names


def render(text: str, values: dict[str, str], custom_keys: set[str] | frozenset = frozenset()
           ) -> Rendered:
    """Fill the placeholders of text from values; report what could not be filled.

    `custom_keys` are the release's own placeholders: those must have a non-empty value, while a
    built-in placeholder may render empty (a release without a version has none).
    """
    result = Rendered(text="")
    parts: list[str] = []
    position = 0
    for match in _TOKEN.finditer(text or ""):
        parts.append(text[position:match.start()])
        position = match.end()
        parts.append(_replacement(match, values, custom_keys, result))
    parts.append((text or "")[position:])
    result.text = "".join(parts)
    return result


def _replacement(match, values: dict, custom_keys, result: Rendered) -> str:
    token = match.group(0)
    if token in ("{{", "}}"):
        return token[0]
    name = match.group(1)
    if name is None:
        _note(result.malformed, f"A lone '{token}' is not allowed; write '{token * 2}' for a "
                                f"literal brace.")
        return token
    name = name.strip()
    if not PLACEHOLDER_KEY.match(name):
        _note(result.malformed, f"{{{name}}} is not a placeholder name; use lower-case letters, "
                                f"digits and underscores.")
        return match.group(0)
    if name not in values:
        _note(result.unknown, name)
        return match.group(0)
    value = values[name]
    if name in custom_keys and not str(value or "").strip():
        _note(result.empty, name)
    return "" if value is None else str(value)


def _note(bucket: list[str], entry: str) -> None:
    if entry not in bucket:
        bucket.append(entry)


def escape(text: str) -> str:
    """Text to be sent literally (release notes with braces): double every brace."""
    return (text or "").replace("{", "{{").replace("}", "}}")
