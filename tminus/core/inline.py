"""Edit one field of one row in place: the page swaps a value for an editor and back (htmx).

Each area registers the rows it lets people edit this way (`register_editable`) with, per field,
how to read what was typed and which changes to hand to the area's own update service. The
views in `tminus.core.inline_views` are the same for every row: parse, call the service, render
the field again, or show the refusal (a message per field, or a conflict beside what was typed).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import Any

from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe

from tminus.core.errors import ValidationFailed
from tminus.core.offsets import format_offset, parse_offset
from tminus.core.text import with_links

TEXT, LONG_TEXT, CHOICE, WHEN, DATE, USER, FLAG = (
    "text", "long_text", "choice", "when", "date", "user", "flag")


@dataclass(frozen=True)
class InlineField:
    """One editable field: how it reads, how it shows and what change it makes."""

    name: str
    label: str
    kind: str = TEXT
    choices: tuple = ()
    # The model fields behind it: one, or (date, offset) for WHEN.
    attrs: tuple = ()
    # value the person typed (parsed) -> the changes the service receives
    to_changes: Callable[[Any, Any], dict] | None = None
    # the row -> the HTML shown when not editing
    show: Callable[[Any], str] | None = None
    links: bool = False  # Markdown links in the text are shown as links

    @property
    def targets(self) -> tuple:
        return self.attrs or (self.name,)


@dataclass(frozen=True)
class Editable:
    """A kind of row people edit in place, and the service every edit goes through."""

    kind: str
    model: type
    capability: str
    update: Callable[..., Any]  # (row, revision, changes, actor) -> row
    fields: dict[str, InlineField] = field(default_factory=dict)
    release_id: Callable[[Any], int | None] = lambda row: row.release_id
    queryset: Callable[[], Any] | None = None

    def get(self, pk: int):
        rows = self.queryset() if self.queryset else self.model.objects.all()
        return rows.filter(pk=pk).first()


_editables: dict[str, Editable] = {}


def register_editable(editable: Editable) -> None:
    _editables[editable.kind] = editable


def editable(kind: str) -> Editable | None:
    return _editables.get(kind)


# ---- reading what was typed ------------------------------------------------------------------

def parse_when(text: str) -> tuple[date | None, int | None]:
    """A date ('2027-03-01') or an offset from go-live ('T-5d', 'T+2w'); empty clears both."""
    text = (text or "").strip()
    if not text:
        return None, None
    if text[:1] in "tT":
        return None, parse_offset(text)
    try:
        return date.fromisoformat(text), None
    except ValueError:
        raise ValueError(f"{text!r} is neither a date (2027-03-01) nor a T-offset "
                         f"(T-5d).") from None


def find_user(text: str):
    """An active account by username, display name or full name; None for an empty name."""
    from django.db.models import Q, Value
    from django.db.models.functions import Concat

    from tminus.accounts.models import User

    text = (text or "").strip()
    if not text:
        return None
    users = User.objects.filter(is_active=True).annotate(
        full=Concat("first_name", Value(" "), "last_name"))
    match = users.filter(Q(username__iexact=text) | Q(display_name__iexact=text)
                         | Q(full__iexact=text) | Q(person__name__iexact=text)).first()
    if match is None:
        raise ValueError(f"No one called {text!r} can sign in; pick a name from the list.")
    return match


def parse(spec: InlineField, raw: str):
    """The typed text as the field's value; ValidationFailed with the field's message."""
    try:
        if spec.kind == WHEN:
            return parse_when(raw)
        if spec.kind == DATE:
            return date.fromisoformat(raw.strip()) if raw.strip() else None
        if spec.kind == USER:
            # An area that resolves names itself (to_changes) gets the name as typed.
            return raw.strip() if spec.to_changes else find_user(raw)
        if spec.kind == FLAG:
            return raw in ("on", "true", "1", "yes")
        if spec.kind == CHOICE:
            return raw.strip()
        return raw.strip() if spec.kind == TEXT else raw.replace("\r\n", "\n").strip()
    except ValueError as error:
        raise ValidationFailed({spec.name: str(error)}) from None


def changes_for(spec: InlineField, row, value) -> dict:
    if spec.to_changes:
        return spec.to_changes(value, row)
    if spec.kind == WHEN:
        date_field, offset_field = spec.attrs
        on, offset = value
        return {date_field: on, offset_field: offset}
    return {spec.targets[0]: value}


# ---- showing ---------------------------------------------------------------------------------

def current_text(spec: InlineField, row) -> str:
    """What the editor's input starts with."""
    if spec.kind == WHEN:
        date_field, offset_field = spec.attrs
        offset = getattr(row, offset_field)
        if offset is not None:
            return format_offset(offset)
        on = getattr(row, date_field)
        return on.isoformat() if on else ""
    value = getattr(row, spec.targets[0])
    if value is None:
        return ""
    if spec.kind == DATE:
        return value.isoformat()
    if spec.kind == USER:
        return value.get_username()
    return str(value)


def shown(spec: InlineField, row) -> str:
    """The field's value as HTML, as the page shows it when not editing."""
    if spec.show:
        return spec.show(row)
    if spec.kind == WHEN:
        date_field, offset_field = spec.attrs
        on, offset = getattr(row, date_field), getattr(row, offset_field)
        text = on.isoformat() if on else "—"
        return f"{text} <small>({format_offset(offset)})</small>" if offset is not None else text
    if spec.kind == CHOICE:
        value = getattr(row, spec.targets[0])
        return escape(dict(spec.choices).get(value, value) or "—")
    if spec.kind == FLAG:
        return "yes" if getattr(row, spec.targets[0]) else "no"
    value = getattr(row, spec.targets[0])
    if value in (None, ""):
        return "—"
    if spec.links:
        return with_links(str(value))
    return escape(value)


@cache
def _url_pattern() -> str:
    # reverse() once; a page with a thousand items formats this instead of reversing each time.
    return reverse("inline-field", args=["KIND", 0, "NAME"]).replace("KIND", "{}").replace(
        "/0/", "/{}/").replace("NAME", "{}")


def field_url(kind: str, pk: int, name: str) -> str:
    return _url_pattern().format(kind, pk, name)


def field_html(kind: str, row, name: str, *, editable_by_user: bool) -> str:
    """A field's value with, for those who may change it, the button that opens its editor."""
    spec = _editables[kind].fields[name]
    value = shown(spec, row)
    if not editable_by_user:
        return f'<span class="inline-field field-{name}">{value}</span>'
    return wrap(kind, row.pk, name, value, escape(f"{spec.label.lower()} of {str(row)[:60]}"))


def wrap(kind: str, pk: int, name: str, value_html: str, label_html: str) -> str:
    """The markup around a value shown with its edit button; `label_html` is escaped already.

    The button carries no URL: app.js opens the editor at /inline/KIND/PK/NAME read from the
    id, which keeps a page of a thousand items small. Long lists call this directly with
    values they render themselves, at a fraction of the cost of looking each field up."""
    return (
        f'<span class="inline-field field-{name}" id="f-{kind}-{pk}-{name}">'
        f'<span class="value">{value_html}</span><button type="button" class="edit-button" '
        f'aria-label="Edit {label_html}">✎</button></span>'
    )


def safe_field_html(kind: str, row, name: str, *, editable_by_user: bool):
    return mark_safe(field_html(kind, row, name, editable_by_user=editable_by_user))
