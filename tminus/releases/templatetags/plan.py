"""{% row_actions kind row label %}: the move and remove buttons of a phase, milestone or scope
row on the release page.

Written in Python rather than as an included template: the page shows a dozen such rows and the
include cost more than the rest of the timeline together.
"""

from django import template
from django.urls import reverse
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

register = template.Library()

_TARGET = 'hx-target="closest .plan-block" hx-swap="outerHTML"'


@register.simple_tag(takes_context=True)
def row_actions(context, kind: str, row, label) -> str:
    """Up and down (not for milestones, which sort by date) and remove, each an htmx post."""
    key = context["release"].key
    label = conditional_escape(label)
    buttons = ""
    if kind != "milestone":
        move = conditional_escape(reverse("plan-part-move", args=[key, kind, row.pk]))
        buttons = "".join(
            f'<button type="button" class="small secondary" hx-post="{move}" '
            f"""hx-vals='{{"direction": "{way}"}}' {_TARGET} aria-label="Move {label} {way}" """
            f'title="Move {way} (Alt+{arrow})">{arrow}</button>'
            for way, arrow in (("up", "↑"), ("down", "↓")))
    remove = conditional_escape(reverse("plan-part-remove", args=[key, kind, row.pk]))
    return mark_safe(
        f'<span class="row-actions">{buttons}<button type="button" class="small secondary '
        f'remove" hx-post="{remove}" {_TARGET} aria-label="Remove {label}" title="Remove">✕'
        "</button></span>\n")
