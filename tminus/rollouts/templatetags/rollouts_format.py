from django import template

from tminus.rollouts.definition import duration_text
from tminus.rollouts.report import number_text

register = template.Library()


@register.filter
def measured(value) -> str:
    """240 as '240', 12345.0 as '12,345', 1.25 as '1.25', None as 'unknown'."""
    return number_text(value)


@register.filter
def when(value) -> str:
    """An ISO 8601 moment as '2026-03-12 09:00'."""
    return value.replace("T", " ")[:16] if isinstance(value, str) else ""


@register.filter
def who(entry) -> str:
    """'maria (web)'; the system's label already names its interface: 'system (worker)'."""
    label = entry.actor_label
    return label if label.endswith(")") else f"{label} ({entry.interface})"


@register.filter
def duration(minutes) -> str:
    """720 minutes as '12h', 1440 as '1d'."""
    return str(duration_text(minutes or 0))


@register.filter
def percent_level(level) -> str:
    """A confidence level of 0.95 as '95%'."""
    return f"{(level or 0) * 100:g}%"
