"""Reads of a release's documents and links."""

from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from tminus.documents.choices import READY_STATUSES
from tminus.documents.models import Document, ImportantLink
from tminus.releases.models import Release


def documents_of(release: Release) -> QuerySet[Document]:
    return Document.objects.filter(release=release).select_related("owner")


def links_of(release: Release) -> QuerySet[ImportantLink]:
    return ImportantLink.objects.filter(release=release)


def is_missing(document: Document) -> bool:
    """A required document that is not published yet (and not marked as not needed)."""
    return document.required and document.status not in READY_STATUSES


def is_overdue(document: Document) -> bool:
    return bool(is_missing(document) and document.due_date
                and document.due_date < timezone.localdate())


@dataclass
class Readiness:
    required: int
    missing: list[Document]

    @property
    def ready(self) -> int:
        return self.required - len(self.missing)


def documents_readiness(release: Release, kinds: list[str] | None = None) -> Readiness:
    """How many required documents there are and which are still missing."""
    documents = [d for d in documents_of(release) if d.required]
    if kinds:
        documents = [d for d in documents if d.kind in kinds]
    return Readiness(required=len(documents), missing=[d for d in documents if is_missing(d)])
