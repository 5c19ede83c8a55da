"""API shapes for plan imports, exports and calendar feeds."""

from datetime import datetime

from ninja import Schema


class ImportIn(Schema):
    filename: str = "plan.md"
    content: str | None = None
    content_base64: str | None = None
    product: str = ""
    key: str = ""
    commit: bool = False


class ImportOut(Schema):
    id: int | None
    state: str
    release_key: str
    report: dict


class FeedIn(Schema):
    product: str | None = None
    user: str | None = None
    name: str = ""


class FeedOut(Schema):
    id: int
    product: str | None
    user: str | None
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None
    url: str | None = None
