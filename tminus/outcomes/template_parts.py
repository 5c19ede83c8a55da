"""Other areas' parts of a template saved from a finished release.

An area that lays out its part of a new release with a template applier can also give its part
of a saved template: `register_template_part("readiness", fn)` where `fn(release) -> dict | None`.
The dict is stored under that key of the saved definition, where the area's applier reads it
(`definition.get("readiness")`) when the next release is created from the template.
"""

from collections.abc import Callable

_parts: dict[str, Callable] = {}


def register_template_part(key: str, export: Callable) -> None:
    """Add an area's part to every template saved from a release."""
    _parts[key] = export


def template_parts(release) -> dict:
    """Each registered area's part for this release (areas with nothing to keep are left out)."""
    parts = {}
    for key, export in _parts.items():
        part = export(release)
        if part:
            parts[key] = part
    return parts
