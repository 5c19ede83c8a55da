"""Short texts people type into a plan, shown as HTML: Markdown links become links, nothing else."""

from html import escape

from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

# The "zero" preset with only links turned on: raw HTML stays text, and markdown-it refuses
# javascript:, vbscript: and data: URLs by itself.
_links = MarkdownIt("zero").enable("link")


def with_links(text: str) -> SafeString:
    """The text escaped, with every [label](https://...) written in it as a link."""
    if "](" not in text:  # most texts have no link; skip the parser for them
        return mark_safe(escape(text))  # the standard library's escape: Django's, minus laziness
    html = _links.renderInline(text)
    return mark_safe(html.replace("<a href=", '<a rel="noopener noreferrer" href='))
