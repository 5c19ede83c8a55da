"""Reading values out of an Unleash context.

A context is a plain dict such as ``{"userId": "42", "properties": {"plan": "pro"}}``. Standard
fields live at the top level and custom fields under ``properties``. Values are read as text,
because that is how every Unleash SDK compares them.
"""

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

STANDARD_FIELDS = frozenset(
    {"userId", "sessionId", "remoteAddress", "environment", "appName", "currentTime"}
)

Context = Mapping[str, Any]
FieldReader = Callable[[Context], str | None]


def as_text(value: Any) -> str | None:
    """Return a context value as the text Unleash compares, or None when it is absent."""
    if value is None or value.__class__ is str:
        return value
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.isoformat()
    return str(value)


def field_reader(name: str, defaults: Mapping[str, Any] | None = None) -> FieldReader:
    """Build a function that reads context field ``name`` as text, or None when it is absent.

    Standard fields are looked up at the top level first and custom fields under
    ``properties`` first; each falls back to the other place, then to ``defaults`` (a client's
    static context, such as its ``appName`` and ``environment``).
    """
    slow_read = _thorough_reader(name, as_text((defaults or {}).get(name)))
    # The fast paths below answer the common case (a str where it belongs) in one call.
    if name in STANDARD_FIELDS:

        def read_standard(context: Context) -> str | None:
            value = context.get(name)
            return value if value.__class__ is str else slow_read(context)

        return read_standard

    def read_custom(context: Context) -> str | None:
        properties = context.get("properties")
        value = properties.get(name) if properties else None
        return value if value.__class__ is str else slow_read(context)

    return read_custom


def _thorough_reader(name: str, default: str | None) -> FieldReader:
    standard = name in STANDARD_FIELDS

    def read(context: Context) -> str | None:
        properties = context.get("properties") or {}
        if standard:
            value = context.get(name)
            if value is None:
                value = properties.get(name)
        else:
            value = properties.get(name)
            if value is None:
                value = context.get(name)
        return default if value is None else as_text(value)

    return read
