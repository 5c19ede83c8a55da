"""The checklists of a release page, rendered in Python.

A release can hold a thousand items; Django's template engine spends about a millisecond on each
such row, so the rows are built here with escaping done by hand, at a tenth of the cost.
"""

from html import escape

from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from tminus.core.inline import field_html
from tminus.core.offsets import format_offset
from tminus.core.text import with_links
from tminus.releases.choices import ItemStatus


def _status_options() -> dict[str, str]:
    options = {}
    for current in ItemStatus.values:
        options[current] = "".join(
            f'<option value="{value}"{" selected" if value == current else ""}>{label}</option>'
            for value, label in ItemStatus.choices
        )
    return options


_OPTIONS = _status_options()


def _date(value) -> str:
    return value.isoformat() if value else "—"


def render_checklists(sections, *, release_key: str, csrf_token: str, editable: bool) -> SafeString:
    """All sections with their items, progress and, for contributors, the editing controls."""
    item_url = reverse("checklist-item-status", args=[release_key, 0]).replace("/0/", "/{}/")
    urls = _plan_urls(release_key) if editable else {}
    token = f'<input type="hidden" name="csrfmiddlewaretoken" value="{escape(csrf_token)}">'
    out, group, names = [], None, _Names()
    for view in sections:
        section = view.section
        if section.group and section.group != group:
            out.append(f'<h3 class="group">{escape(section.group)}</h3>')
        group = section.group
        out.append(_section_head(view, editable, urls, "h4" if section.group else "h3"))
        out.extend(_item_row(item, depth, item_url, token, editable, names)
                   for item, depth in view.items)
        out.append("</ul>")
        if editable:
            out.append(_add_item_form(section, urls, token))
        out.append("</div>")
    if not sections:
        out.append("<p>No checklists.</p>")
    return mark_safe("".join(out))


def _plan_urls(release_key: str) -> dict[str, str]:
    def pattern(name, *args):
        return reverse(name, args=[release_key, *args]).replace("/0/", "/{}/")

    return {"add": pattern("plan-part-add", "item"),
            "move": pattern("plan-part-move", "section", 0),
            "remove": pattern("plan-part-remove", "section", 0)}


def _section_head(view, editable: bool, urls: dict, heading: str) -> str:
    # Under a group's h3 a section is an h4, on its own an h3: heading levels never skip.
    section = view.section
    if editable:
        title = (_part_handle("section", section.pk, urls["move"].format(section.pk),
                              f"section {section.title}")
                 + _select_section(section)
                 + field_html("section", section, "title", editable_by_user=True))
        details = (f'<small>due {field_html("section", section, "due", editable_by_user=True)}'
                   f' · owner {field_html("section", section, "owner", editable_by_user=True)}'
                   f"</small>{_section_actions(section, urls)}"
                   f'<div class="section-notes">'
                   f'{field_html("section", section, "notes", editable_by_user=True)}</div>')
    else:
        owner = f" · {escape(str(section.owner))}" if section.owner else ""
        title = escape(section.title)
        details = f"<small>due {_date(section.due_date)}{owner}</small>"
    return (
        f'<div class="section" id="section-{section.pk}" data-section="{section.pk}" '
        f'data-drop="section" data-pk="{section.pk}">'
        f"<{heading}>{title} {details}"
        f'<span class="section-progress"><progress max="{view.total or 1}" value="{view.done}">'
        f'</progress> <span class="count">{view.done}/{view.total}</span></span></{heading}>'
        f'<ul class="checklist" data-section="{section.pk}">'
    )


def _select_section(section) -> str:
    # Not part of the bulk form itself: it only ticks the section's own item boxes (app.js).
    return (f'<input type="checkbox" class="select-section" data-section="{section.pk}" '
            f'aria-label="Select every item of section {escape(section.title[:60])}">')


def _part_handle(kind: str, pk: int, move_url: str, label: str) -> str:
    """The grip that moves a section or phase: drag it onto another, or Alt+arrow keys."""
    label = escape(label[:60])
    return (f'<button type="button" class="part-handle" draggable="true" data-kind="{kind}" '
            f'data-pk="{pk}" data-move="{move_url}" aria-label="Move {label} (Alt and arrow '
            f'keys)" title="Drag, or Alt+↑ ↓">⠿</button>')


def _section_actions(section, urls: dict) -> str:
    label = escape(section.title)
    move = urls["move"].format(section.pk)
    target = 'hx-target="closest .plan-block" hx-swap="outerHTML"'
    buttons = [
        f'<button type="button" class="small secondary" hx-post="{move}" {target} '
        f"""hx-vals='{{"direction": "{way}"}}' aria-label="Move section {label} {way}">"""
        f"{arrow}</button>"
        for way, arrow in (("up", "↑"), ("down", "↓"))
    ]
    buttons.append(
        f'<button type="button" class="small secondary remove" {target} '
        f'hx-post="{urls["remove"].format(section.pk)}" aria-label="Remove section {label}">'
        f"✕</button>")
    return f'<span class="row-actions">{"".join(buttons)}</span>'


def _add_item_form(section, urls: dict, token: str) -> str:
    field_id = f"add-item-{section.pk}"
    return (
        f'<form class="inline add-part add-item" method="post" action="{urls["add"]}" '
        f'hx-post="{urls["add"]}" hx-target="closest .plan-block" hx-swap="outerHTML">{token}'
        f'<input type="hidden" name="section" value="{section.pk}">'
        f'<label for="{field_id}">New item</label> '
        f'<input id="{field_id}" name="text" required maxlength="500"> '
        f'<button type="submit" class="small">Add item</button></form>'
    )


class _Names(dict):
    """Each person's name escaped once per page: a thousand rows name a handful of people."""

    def __missing__(self, person) -> str:
        self[person] = name = escape(str(person))
        return name


_STATUS_LABELS = dict(ItemStatus.choices)


def _escape(text: str) -> str:
    # Most texts have nothing to escape; checking is cheaper than five replacements.
    if "&" in text or "<" in text or ">" in text or '"' in text or "'" in text:
        return escape(text)
    return text


def _item_row(item, depth: int, item_url: str, token: str, editable: bool,
              names: _Names) -> str:
    raw = item.text
    text = _escape(raw)
    pk = item.pk
    status = item.status
    overdue = item.is_overdue
    classes = f"item depth-{depth} status-{status}{' is-overdue' if overdue else ''}"
    shown = text if "](" not in raw else with_links(raw)  # what with_links gives, sooner
    if not editable:
        return (
            f'<li id="item-{pk}" class="{classes}"><span class="status-text">'
            f'{escape(_STATUS_LABELS.get(status, status))}</span>'
            f'<span class="text">{shown}</span>'
            f'<span class="meta">{_item_meta(item, names)}</span></li>'
        )
    label = text if len(raw) <= 60 else _escape(raw[:60])
    who = item.owner or item.responsible
    owner = names[who] if who else "—"
    notes = item.notes
    notes = (_escape(notes) if "](" not in notes else with_links(notes)) if notes else "—"
    due = item.due_date.isoformat() if item.due_date else "—"
    if item.due_offset is not None:
        due += f" <small>({format_offset(item.due_offset)})</small>"
    why = getattr(item, "nonworking", "")
    extra = f' <strong class="nonworking">⚠ {escape(why)}</strong>' if why else ""
    extra += (f' · notes <span class="inline-field field-notes" id="f-item-{pk}-notes">'
              f'<span class="value">{notes}</span><button type="button" class="edit-button" '
              f'aria-label="Edit notes of {label}">✎</button></span>')
    if overdue:
        extra += ' <strong class="overdue">overdue</strong>'
    if item.done_at:
        done_by = names[item.done_by] if item.done_by else "system"
        extra += f" · done by {done_by} {item.done_at:%Y-%m-%d %H:%M}"
    revision = item.revision
    return (
        f'<li id="item-{pk}" class="{classes}" data-item="{pk}">'
        f'<input type="checkbox" class="select" form="bulk-form" name="items" value="{pk}" '
        f'aria-label="Select: {label}">'
        f'<button type="button" class="handle" draggable="true" aria-label="Move: {label} '
        f'(Alt and arrow keys)" title="Drag, or Alt+↑ ↓ ← →">⠿</button>'
        f'<form method="post" action="{item_url.format(pk)}" class="item-form" '
        f'data-item="{pk}" data-revision="{revision}">{token}'
        f'<input type="hidden" name="revision" value="{revision}">'
        f'<input type="checkbox" class="tick" aria-label="Done: {text}"'
        f'{" checked" if status == ItemStatus.DONE else ""}>'
        f'<select name="status" class="item-status" aria-label="Status of {text}">'
        f"{_OPTIONS[status]}</select>"
        f'<noscript><button class="small">Save</button></noscript></form>'
        f'<span class="text"><span class="inline-field field-text" id="f-item-{pk}-text">'
        f'<span class="value">{shown}</span><button type="button" class="edit-button" '
        f'aria-label="Edit text of {label}">✎</button></span></span><span class="meta">'
        f'owner <span class="inline-field field-owner" id="f-item-{pk}-owner">'
        f'<span class="value">{owner}</span><button type="button" class="edit-button" '
        f'aria-label="Edit owner of {label}">✎</button></span>'
        f' · due <span class="inline-field field-due" id="f-item-{pk}-due">'
        f'<span class="value">{due}</span><button type="button" class="edit-button" '
        f'aria-label="Edit due date of {label}">✎</button></span>{extra}</span></li>'
    )


def _non_working(item) -> str:
    why = getattr(item, "nonworking", "")
    return f' <strong class="nonworking">⚠ {escape(why)}</strong>' if why else ""


def _item_meta(item, names: _Names) -> str:
    parts = []
    if item.owner or item.responsible:
        parts.append(names[item.owner or item.responsible])
    if item.due_date:
        parts.append(f"due {item.due_date.isoformat()}{_non_working(item)}")
    meta = " · ".join(parts)
    if item.is_overdue:
        meta += ' <strong class="overdue">overdue</strong>'
    if item.done_at:
        who = names[item.done_by] if item.done_by else "system"
        meta += f" · done by {who} {item.done_at:%Y-%m-%d %H:%M}"
    return meta
