from django import template

register = template.Library()


@register.filter
def md(value) -> str:
    """Text safe inside a Markdown table cell or list item: one line, pipes escaped."""
    text = " ".join(str(value if value is not None else "").split())
    return text.replace("|", "\\|")


@register.filter
def tminus(days) -> str:
    """T-12d before go-live, T+3d after it."""
    if days is None:
        return "—"
    return f"T-{days}d" if days >= 0 else f"T+{-days}d"
