from django import template

from tminus.runbooks.durations import expected_text, format_duration

register = template.Library()


@register.filter
def duration(seconds):
    """Seconds as '12m 05s'."""
    return format_duration(seconds)


@register.simple_tag
def expected(low, high):
    """An estimate as '15-30 min'."""
    return expected_text(low, high)
