"""Markdown links in one line of plain text, as safe HTML.

Plans written in Markdown put links in checklist items ("Update [the runbook](https://…)").
Only `[text](url)` with an http(s) or mailto URL becomes a link; everything else, the link text
included, is escaped, so a `javascript:` URL or markup in an item stays inert text.
"""

import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

_LINK = re.compile(r"\[([^\[\]\n]+)\]\(\s*((?:https?://|mailto:)[^\s()<>\"']+)\s*\)", re.IGNORECASE)


def linked(text: str) -> SafeString:
    """The text escaped, with each Markdown link turned into an anchor."""
    out, position = [], 0
    for match in _LINK.finditer(text or ""):
        out.append(escape(text[position:match.start()]))
        label, url = match.groups()
        out.append(f'<a href="{escape(url)}" rel="noopener noreferrer">{escape(label)}</a>')
        position = match.end()
    out.append(escape((text or "")[position:]))
    return mark_safe("".join(out))


def unlinked(text: str) -> str:
    """The text with each Markdown link reduced to its label (for labels and attributes)."""
    return _LINK.sub(lambda match: match.group(1), text or "")
