"""{% inline "phase" phase "name" %}: a field shown with its in-place editor for those allowed."""

from django import template

from tminus.accounts.permissions import can
from tminus.core.inline import editable, safe_field_html

register = template.Library()


@register.simple_tag(takes_context=True)
def inline(context, kind: str, row, name: str):
    request = context.get("request")
    allowed = bool(request) and can(request.user, editable(kind).capability)
    return safe_field_html(kind, row, name, editable_by_user=allowed)
