"""Every write to a release's documents and important links. Each runs in a transaction, audited."""

from datetime import date

from django.db import transaction

from tminus.accounts.roles import CONTRIBUTE
from tminus.core import editing
from tminus.core.actors import Actor
from tminus.core.offsets import date_at
from tminus.documents.choices import DocumentKind, DocumentStatus, LinkKind
from tminus.documents.models import Document, ImportantLink
from tminus.releases.models import Release

DOCUMENT_FIELDS = ["kind", "title", "owner", "due_date", "due_offset", "status", "link",
                   "required", "notes"]
LINK_FIELDS = ["kind", "label", "url"]


def _choice_error(values: dict, field: str, choices) -> dict:
    if field in values and values[field] not in choices.values:
        return {field: f"Unknown {field} {values[field]!r}; use one of "
                       f"{', '.join(choices.values)}."}
    return {}


def _url_error(values: dict, field: str) -> dict:
    url = values.get(field) or ""
    if url and not url.startswith(("http://", "https://")):
        return {field: "A link must start with http:// or https://."}
    return {}


def _document_errors(values: dict) -> dict:
    errors = {}
    if "title" in values and not (values["title"] or "").strip():
        errors["title"] = "A document needs a title."
    errors.update(_choice_error(values, "kind", DocumentKind))
    errors.update(_choice_error(values, "status", DocumentStatus))
    errors.update(_url_error(values, "link"))
    return errors


def _link_errors(values: dict) -> dict:
    errors = {}
    if "label" in values and not (values["label"] or "").strip():
        errors["label"] = "A link needs a label."
    errors.update(_choice_error(values, "kind", LinkKind))
    errors.update(_url_error(values, "url"))
    return errors


def _row_errors(check):
    """A validate hook for the edit path: the area's dict check over the row's fields."""
    return lambda row: check({name: getattr(row, name) for name in ("title", "label", "kind",
                                                                     "status", "link", "url")
                              if hasattr(row, name)})


def _blank_nulls(changes: dict, fields: tuple[str, ...]) -> dict:
    # An optional text sent as null clears it, as an empty text does.
    return {name: "" if value is None and name in fields else value
            for name, value in changes.items()}


def _date_set_by_hand(document: Document, changes: dict) -> list[str]:
    if "due_date" in changes:
        document.due_offset = None  # a date set by hand stays put when go-live moves
        return ["due_offset"]
    return []


DOCUMENT = editing.Kind(model=Document, action="document", fields=DOCUMENT_FIELDS,
                        capability=CONTRIBUTE, validate=_row_errors(_document_errors),
                        derive=_date_set_by_hand, fixed={"due_offset"})
LINK = editing.Kind(model=ImportantLink, action="link", fields=LINK_FIELDS,
                    capability=CONTRIBUTE, validate=_row_errors(_link_errors))


@transaction.atomic
def document_add(*, release: Release, title: str, kind: str = DocumentKind.OTHER, owner=None,
                 due_date: date | None = None, due_offset: int | None = None,
                 status: str = DocumentStatus.NOT_STARTED, link: str = "", required: bool = True,
                 notes: str = "", actor: Actor) -> Document:
    """Add a document the release needs; a due offset (days from go-live) follows go-live."""
    if due_offset is not None:
        due_date = date_at(release.go_live, due_offset)
    return editing.create(DOCUMENT, Document(
        release=release, title=(title or "").strip()[:300], kind=kind, owner=owner,
        due_date=due_date, due_offset=due_offset, status=status, link=link or "",
        required=required, notes=notes or "", order=release.documents.count()), actor=actor)


def document_update(*, document: Document, revision: int | None, changes: dict,
                    actor: Actor) -> Document:
    """Edit a document (owner, due date, status, link ...); a stale edit gets a conflict."""
    return editing.update(DOCUMENT, document, revision=revision, actor=actor,
                          changes=_blank_nulls(changes, ("link", "notes")))


@transaction.atomic
def link_add(*, release: Release, label: str, url: str = "", kind: str = LinkKind.OTHER,
             actor: Actor) -> ImportantLink:
    """Add an important link (dashboard, issue tracker, support portal ...) to a release."""
    return editing.create(LINK, ImportantLink(
        release=release, label=(label or "").strip()[:200], url=url or "", kind=kind,
        order=release.important_links.count()), actor=actor)


def link_update(*, link: ImportantLink, revision: int | None, changes: dict,
                actor: Actor) -> ImportantLink:
    """Change an important link's label, address or kind."""
    return editing.update(LINK, link, revision=revision, actor=actor,
                          changes=_blank_nulls(changes, tuple(LINK_FIELDS)))


def link_remove(*, link: ImportantLink, actor: Actor) -> None:
    """Take an important link off a release."""
    editing.remove(LINK, link, actor=actor)
