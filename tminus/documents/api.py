"""JSON endpoints for a release's documentation checklist and important links."""

from django.shortcuts import get_object_or_404
from ninja import Router, Status

from tminus.accounts.models import User
from tminus.accounts.roles import CONTRIBUTE, VIEW
from tminus.core.api import api_actor, edit_revision
from tminus.core.errors import ValidationFailed
from tminus.core.offsets import parse_offset
from tminus.documents import presenters, selectors, services
from tminus.documents.models import Document, ImportantLink
from tminus.documents.schemas import (
    DocumentIn,
    DocumentOut,
    DocumentPatch,
    LinkIn,
    LinkOut,
    LinkPatch,
)
from tminus.releases.selectors import release_get

router = Router(tags=["documents"])


def _owner(username: str | None) -> User | None:
    if not username:
        return None
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise ValidationFailed({"owner": f"No user named {username!r}."})
    return user


@router.get("/releases/{key}/documents", response=list[DocumentOut])
def document_list(request, key: str):
    api_actor(request, VIEW)
    return [presenters.document_dict(d) for d in selectors.documents_of(release_get(key))]


@router.post("/releases/{key}/documents", response={201: DocumentOut})
def document_add(request, key: str, data: DocumentIn):
    """Add a document; `due` as a T-offset (T-28d) follows go-live, `due_date` stays put."""
    actor = api_actor(request, CONTRIBUTE)
    values = data.dict()
    due = values.pop("due")
    offset = None
    if due:
        try:
            offset = parse_offset(due)
        except ValueError as error:
            raise ValidationFailed({"due": str(error)}) from None
    values["owner"] = _owner(values["owner"])
    document = services.document_add(release=release_get(key), due_offset=offset, actor=actor,
                                     **values)
    return Status(201, presenters.document_dict(document))


@router.patch("/documents/{document_id}", response=DocumentOut)
def document_update(request, document_id: int, data: DocumentPatch):
    actor = api_actor(request, CONTRIBUTE)
    changes = data.dict(exclude_unset=True)
    revision = edit_revision(request, changes.pop("revision", None))
    if "owner" in changes:
        changes["owner"] = _owner(changes["owner"])
    document = services.document_update(document=get_object_or_404(Document, pk=document_id),
                                        revision=revision, changes=changes, actor=actor)
    return presenters.document_dict(document)


@router.get("/releases/{key}/links", response=list[LinkOut])
def link_list(request, key: str):
    api_actor(request, VIEW)
    return [presenters.link_dict(link) for link in selectors.links_of(release_get(key))]


@router.post("/releases/{key}/links", response={201: LinkOut})
def link_add(request, key: str, data: LinkIn):
    actor = api_actor(request, CONTRIBUTE)
    link = services.link_add(release=release_get(key), actor=actor, **data.dict())
    return Status(201, presenters.link_dict(link))


@router.patch("/links/{link_id}", response=LinkOut)
def link_update(request, link_id: int, data: LinkPatch):
    actor = api_actor(request, CONTRIBUTE)
    changes = data.dict(exclude_unset=True)
    revision = edit_revision(request, changes.pop("revision", None))
    link = services.link_update(link=get_object_or_404(ImportantLink, pk=link_id),
                                revision=revision, changes=changes, actor=actor)
    return presenters.link_dict(link)


@router.delete("/links/{link_id}", response={204: None})
def link_remove(request, link_id: int):
    actor = api_actor(request, CONTRIBUTE)
    services.link_remove(link=get_object_or_404(ImportantLink, pk=link_id), actor=actor)
    return Status(204, None)
