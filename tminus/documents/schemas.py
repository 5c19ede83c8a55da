"""API shapes for documents and important links."""

from datetime import date

from ninja import Schema


class DocumentIn(Schema):
    title: str
    kind: str = "other"
    owner: str | None = None
    due_date: date | None = None
    due: str = ""
    status: str = "not_started"
    link: str = ""
    required: bool = True
    notes: str = ""


class DocumentPatch(Schema):
    revision: int | None = None
    title: str | None = None
    kind: str | None = None
    owner: str | None = None
    due_date: date | None = None
    status: str | None = None
    link: str | None = None
    required: bool | None = None
    notes: str | None = None


class DocumentOut(Schema):
    id: int
    kind: str
    title: str
    owner: str | None
    due_date: date | None
    due_offset: int | None
    status: str
    link: str
    required: bool
    notes: str
    missing: bool
    overdue: bool
    revision: int


class LinkIn(Schema):
    label: str
    url: str = ""
    kind: str = "other"


class LinkPatch(Schema):
    revision: int | None = None
    label: str | None = None
    url: str | None = None
    kind: str | None = None


class LinkOut(Schema):
    id: int
    kind: str
    label: str
    url: str
    revision: int
