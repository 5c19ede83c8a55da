"""A printable HTML view of a plan: the Markdown export drawn as a page.

Only what Markdown itself means is turned into HTML (headings, lists, checkboxes, tables, code,
bold, inline code, http links). HTML written inside an uploaded document is shown as text, never
run: a plan someone uploads must not be able to put script into a colleague's browser.
"""

import re
from pathlib import Path

from django.template.loader import render_to_string
from django.utils.html import escape

from tminus.plans import markdown
from tminus.plans.exporting import export_markdown

_LINK = re.compile(r"\[([^\]]+)\]\((https?://[^)\s]+)\)")
_BOLD = re.compile(r"\*\*(.+?)\*\*")
_CODE = re.compile(r"`([^`]+)`")

# The stylesheet goes inline, so the file stands alone when saved; pages serving it allow it by
# its hash (tminus.core.csp.allow_style).
PRINTABLE_CSS = (Path(__file__).parent / "static" / "plans" / "printable.css").read_text()


def inline(text: str) -> str:
    """Escaped text with bold, inline code and http(s) links."""
    html = escape(text)
    html = _CODE.sub(r"<code>\1</code>", html)
    html = _BOLD.sub(r"<strong>\1</strong>", html)
    return _LINK.sub(r'<a href="\2" rel="noopener noreferrer">\1</a>', html)


def markdown_to_html(text: str) -> str:
    """HTML for a Markdown document, element by element."""
    parts = []
    for element in markdown.parse_elements(text):
        parts.append(_element_html(element))
    return "\n".join(part for part in parts if part)


def _element_html(element) -> str:
    kind = element.kind
    if kind == "blank":
        return ""
    if kind == "heading":
        level = min(element.level, 6)
        return f"<h{level}>{inline(element.text)}</h{level}>"
    if kind == "rule":
        return "<hr>"
    if kind in ("fence", "html"):
        return f"<pre>{escape(chr(10).join(element.lines))}</pre>"
    if kind == "table":
        return _table_html(element.rows)
    if kind == "item":
        return _item_html(element)
    return f"<p>{inline(element.text)}</p>"


def _item_html(element) -> str:
    depth = element.indent // 2
    if element.checked is not None:
        box = "☑" if element.checked else "☐"
        klass = "item done" if element.checked else "item"
        return (f'<div class="{klass} depth-{depth}">'
                f'<span class="box">{box}</span> {inline(element.text)}</div>')
    marker = "•" if element.marker in "-*+" else escape(element.marker)
    return (f'<div class="item depth-{depth}">'
            f'<span class="marker">{marker}</span> {inline(element.text)}</div>')


def _table_html(rows: list[list[str]]) -> str:
    if not rows:
        return ""
    head = "".join(f"<th>{inline(cell)}</th>" for cell in rows[0])
    body = "".join("<tr>" + "".join(f"<td>{inline(cell)}</td>" for cell in row) + "</tr>"
                   for row in rows[1:])
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def printable_html(release) -> str:
    """A standalone printable page of the release's plan."""
    body = markdown_to_html(export_markdown(release))
    return render_to_string("plans/printable.html",
                            {"release": release, "body": body, "css": PRINTABLE_CSS})
