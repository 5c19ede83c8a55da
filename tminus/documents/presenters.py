"""Plain dicts of documents and links for the API."""

from tminus.documents import selectors
from tminus.documents.models import Document, ImportantLink


def document_dict(document: Document) -> dict:
    return {
        "id": document.pk,
        "kind": document.kind,
        "title": document.title,
        "owner": document.owner.username if document.owner else None,
        "due_date": document.due_date,
        "due_offset": document.due_offset,
        "status": document.status,
        "link": document.link,
        "required": document.required,
        "notes": document.notes,
        "missing": selectors.is_missing(document),
        "overdue": selectors.is_overdue(document),
        "revision": document.revision,
    }


def link_dict(link: ImportantLink) -> dict:
    return {"id": link.pk, "kind": link.kind, "label": link.label, "url": link.url,
            "revision": link.revision}
