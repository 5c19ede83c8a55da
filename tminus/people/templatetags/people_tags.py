from django import template

from tminus.people.durations import format_duration

register = template.Library()


@register.filter
def duration(minutes):
    """Minutes as '4h', '1d 12h' ..."""
    return format_duration(minutes)
