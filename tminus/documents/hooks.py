"""How documents plug into the release page and into releases made from templates."""

from tminus.core.offsets import date_at, parse_offset
from tminus.documents import selectors
from tminus.documents.choices import DocumentKind, LinkKind
from tminus.documents.defaults import default_documents
from tminus.documents.models import Document, ImportantLink


def panel_context(request, release) -> dict:
    documents = list(selectors.documents_of(release))
    for document in documents:
        document.is_missing = selectors.is_missing(document)
        document.is_overdue = selectors.is_overdue(document)
    required = [d for d in documents if d.required]
    return {
        "documents": documents,
        "required": len(required),
        "missing": sum(d.is_missing for d in required),
        "links": list(selectors.links_of(release)),
    }


def documents_for_new_release(release, definition: dict) -> None:
    """Lay out the template's documents and links (part of creating the release)."""
    spec = default_documents(definition)
    documents = []
    for order, item in enumerate(spec.get("documents", [])):
        offset = parse_offset(item["due"]) if item.get("due") else None
        kind = item.get("kind") if item.get("kind") in DocumentKind.values else "other"
        documents.append(Document(release=release, order=order, kind=kind,
                                  title=item["title"][:300], due_offset=offset,
                                  due_date=date_at(release.go_live, offset),
                                  required=item.get("required", True)))
    Document.objects.bulk_create(documents)
    ImportantLink.objects.bulk_create(
        ImportantLink(release=release, order=order, label=item["label"][:200],
                      kind=item.get("kind") if item.get("kind") in LinkKind.values else "other",
                      url=item.get("url", ""))
        for order, item in enumerate(spec.get("links", []))
    )
