"""GET /api/v1/audit: who changed what, when and through which interface, with filters."""

from datetime import datetime
from typing import Literal

from ninja import Field, Query, Router, Schema

from tminus.accounts.permissions import actor_can
from tminus.accounts.roles import ADMINISTER, VIEW
from tminus.audit.presenters import audit_entry
from tminus.audit.selectors import audit_entries
from tminus.core.api import api_actor
from tminus.core.errors import ValidationFailed

router = Router(tags=["audit"])
PREFIX = "/audit"


class AuditFilter(Schema):
    kind: str = Field("", description="An action (flag.toggle) or its first part (flag).")
    object_type: str = Field("", description="app.model, such as flags.flag.")
    object: str = Field("", description="An object's id or its name (a flag's name).")
    actor: str = Field("", description="A username, or `system (cli)`.")
    interface: Literal["", "web", "api", "cli", "worker"] = ""
    project: str = ""
    environment: str = ""
    since: datetime | None = None
    until: datetime | None = None
    limit: int = Field(100, ge=1, le=500)
    offset: int = Field(0, ge=0)


class AuditEntry(Schema):
    id: int
    at: str
    action: str
    object_type: str
    object_id: str
    object: str
    actor: str
    interface: str
    project: str
    environment: str
    release_id: int | None
    before: dict | None
    after: dict | None
    reason: str


class AuditPage(Schema):
    count: int
    items: list[AuditEntry]


@router.get("", response=AuditPage)
def audit_list(request, filters: Query[AuditFilter]):
    """Audit entries, newest first. Changes to people and tokens only for administrators."""
    actor = api_actor(request, VIEW)
    if filters.since and filters.until and filters.since >= filters.until:
        raise ValidationFailed({"until": "Must be later than since."})
    values = filters.dict(exclude={"limit", "offset"})
    values["obj"] = values.pop("object")
    rows = audit_entries(**values, include_accounts=actor_can(actor, ADMINISTER))
    page = rows.select_related("actor")[filters.offset:filters.offset + filters.limit]
    return {"count": rows.count(), "items": [audit_entry(event) for event in page]}
