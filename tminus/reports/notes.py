"""Release notes: drafted from the release's scope items, rendered from Markdown to safe HTML."""

from django.utils import timezone
from markdown_it import MarkdownIt

SECTIONS = [
    ("feature", "New features"),
    ("enhancement", "Improvements"),
    ("bug_fix", "Bug fixes"),
    ("known_issue", "Known issues"),
]

# "js-default" renders no raw HTML and refuses javascript: links, so edited notes cannot inject
# script into the page or the exported file.
_markdown = MarkdownIt("js-default")


def notes_draft(release, scope_items) -> str:
    """Markdown release notes with a section per kind of scope item (empty kinds left out)."""
    lines = [f"# Release notes: {release.name}", ""]
    facts = []
    if release.version:
        facts.append(f"**Version** {release.version}")
    if release.go_live:
        facts.append(f"**Release date** {release.go_live:%B} {release.go_live.day}, "
                     f"{release.go_live.year}")
    if facts:
        lines += [" · ".join(facts), ""]
    if release.goal.strip():
        lines += [release.goal.strip(), ""]
    for kind, heading in SECTIONS:
        items = [item for item in scope_items if item.kind == kind]
        if not items:
            continue
        lines += [f"## {heading}", ""]
        lines += [_bullet(item) for item in items]
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _bullet(item) -> str:
    text = f"- **{item.title.strip()}**"
    if item.description.strip():
        text += f": {' '.join(item.description.split())}"
    if item.link:
        text += f" ([details]({item.link}))"
    return text


def notes_html(body: str) -> str:
    """The notes' Markdown as an HTML fragment."""
    return _markdown.render(body or "")


# Inline, so the file stands alone; served inline it is allowed by hash (tminus.core.csp).
NOTES_CSS = ("body{font-family:system-ui,sans-serif;max-width:46rem;margin:2rem auto;"
             "line-height:1.5;color:#1d2433;padding:0 1rem}h1{font-size:1.6rem}")


def notes_html_document(release, body: str) -> str:
    """A standalone HTML file of the notes, for download and for mail."""
    from django.utils.html import escape

    return (
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<title>Release notes: {escape(release.name)}</title>"
        f"<style>{NOTES_CSS}</style>"
        f"</head><body>\n{notes_html(body)}<footer><small>Generated "
        f"{timezone.localtime():%Y-%m-%d %H:%M} by T-Minus</small></footer>\n</body></html>\n"
    )
