"""Every write to a release's documents and important links. Each runs in a transaction, audited."""

from datetime import date

from django.db import transaction

from tminus.accounts.permissions import require
from tminus.accounts.roles import CONTRIBUTE
from tminus.audit.services import audit_record, snapshot
from tminus.core.actors import Actor
from tminus.core.concurrency import save_versioned
from tminus.core.errors import ValidationFailed
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


@transaction.atomic
def document_add(*, release: Release, title: str, kind: str = DocumentKind.OTHER, owner=None,
                 due_date: date | None = None, due_offset: int | None = None,
                 status: str = DocumentStatus.NOT_STARTED, link: str = "", required: bool = True,
                 notes: str = "", actor: Actor) -> Document:
    """Add a document the release needs; a due offset (days from go-live) follows go-live."""
    require(actor, CONTRIBUTE)
    values = {"title": title, "kind": kind, "status": status, "link": link}
    errors = _document_errors(values)
    if errors:
        raise ValidationFailed(errors)
    if due_offset is not None:
        due_date = date_at(release.go_live, due_offset)
    document = Document.objects.create(
        release=release, title=title.strip()[:300], kind=kind, owner=owner, due_date=due_date,
        due_offset=due_offset, status=status, link=link or "", required=required,
        notes=notes or "", order=release.documents.count(),
    )
    audit_record(actor=actor, action="document.add", obj=document, release_id=release.pk,
                 after=snapshot(document, DOCUMENT_FIELDS))
    return document


@transaction.atomic
def document_update(*, document: Document, revision: int | None, changes: dict,
                    actor: Actor) -> Document:
    """Edit a document (owner, due date, status, link ...); a stale edit gets a conflict."""
    require(actor, CONTRIBUTE)
    allowed = set(DOCUMENT_FIELDS) - {"due_offset"}
    errors = {field: "This field cannot be changed here." for field in set(changes) - allowed}
    errors.update(_document_errors(changes))
    if errors:
        raise ValidationFailed(errors)
    before = snapshot(document, DOCUMENT_FIELDS)
    for field, value in changes.items():
        setattr(document, field, "" if value is None and field in ("link", "notes") else value)
    fields = list(changes)
    if "due_date" in changes:
        document.due_offset = None  # a date set by hand stays put when go-live moves
        fields.append("due_offset")
    save_versioned(document, revision, fields,
                   snapshot=lambda d: {**snapshot(d, DOCUMENT_FIELDS), "revision": d.revision})
    audit_record(actor=actor, action="document.update", obj=document,
                 release_id=document.release_id, before=before,
                 after=snapshot(document, DOCUMENT_FIELDS))
    return document


def _link_errors(values: dict) -> dict:
    errors = {}
    if "label" in values and not (values["label"] or "").strip():
        errors["label"] = "A link needs a label."
    errors.update(_choice_error(values, "kind", LinkKind))
    errors.update(_url_error(values, "url"))
    return errors


@transaction.atomic
def link_add(*, release: Release, label: str, url: str = "", kind: str = LinkKind.OTHER,
             actor: Actor) -> ImportantLink:
    """Add an important link (dashboard, issue tracker, support portal ...) to a release."""
    require(actor, CONTRIBUTE)
    errors = _link_errors({"label": label, "url": url, "kind": kind})
    if errors:
        raise ValidationFailed(errors)
    link = ImportantLink.objects.create(release=release, label=label.strip()[:200],
                                        url=url or "", kind=kind,
                                        order=release.important_links.count())
    audit_record(actor=actor, action="link.add", obj=link, release_id=release.pk,
                 after=snapshot(link, LINK_FIELDS))
    return link


@transaction.atomic
def link_update(*, link: ImportantLink, revision: int | None, changes: dict,
                actor: Actor) -> ImportantLink:
    """Change an important link's label, address or kind."""
    require(actor, CONTRIBUTE)
    errors = {field: "This field cannot be changed here."
              for field in set(changes) - set(LINK_FIELDS)}
    errors.update(_link_errors(changes))
    if errors:
        raise ValidationFailed(errors)
    before = snapshot(link, LINK_FIELDS)
    for field, value in changes.items():
        setattr(link, field, value or "")
    save_versioned(link, revision, list(changes),
                   snapshot=lambda x: {**snapshot(x, LINK_FIELDS), "revision": x.revision})
    audit_record(actor=actor, action="link.update", obj=link, release_id=link.release_id,
                 before=before, after=snapshot(link, LINK_FIELDS))
    return link


@transaction.atomic
def link_remove(*, link: ImportantLink, actor: Actor) -> None:
    """Take an important link off a release."""
    require(actor, CONTRIBUTE)
    audit_record(actor=actor, action="link.remove", obj=link, release_id=link.release_id,
                 before=snapshot(link, LINK_FIELDS))
    link.delete()
