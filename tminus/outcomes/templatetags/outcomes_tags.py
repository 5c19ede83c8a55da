from django import template

from tminus.outcomes.measure import VERDICT_LABELS
from tminus.outcomes.targets import format_quantity

register = template.Library()

FEATURE_MARKS = {"done": "✅", "in_progress": "🔄", "planned": "📋"}


@register.filter
def quantity(value, unit):
    """A reading with its unit: 99.95%, 1.4 s, 520."""
    if value is None or value == "":
        return "—"
    return format_quantity(float(value), unit)


@register.filter
def verdict_label(verdict):
    return VERDICT_LABELS.get(verdict, verdict or "")


@register.filter
def feature_mark(status):
    """Seed 001's marks: ✅ done, 🔄 in progress, 📋 planned."""
    return FEATURE_MARKS.get(status, "")
