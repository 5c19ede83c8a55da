from datetime import datetime

from django.db.models import Q, QuerySet

from tminus.audit.models import AuditEvent

# Changes to people and their tokens are for administrators only.
ADMIN_ONLY_PREFIX = "accounts."


def audit_for_release(release_id: int, limit: int = 200):
    """The newest changes that belong to a release."""
    return AuditEvent.objects.filter(release_id=release_id).select_related("actor")[:limit]


def audit_entries(*, kind: str = "", object_type: str = "", obj: str = "", actor: str = "",
                  interface: str = "", project: str = "", environment: str = "",
                  since: datetime | None = None, until: datetime | None = None,
                  include_accounts: bool = False) -> QuerySet[AuditEvent]:
    """Audit entries, newest first, narrowed by every filter given.

    `kind` is an action (`flag.toggle`) or its first part (`flag`); `obj` an object's id or
    its label (a flag's name).
    """
    rows = AuditEvent.objects.all()
    if not include_accounts:
        rows = rows.exclude(object_type__startswith=ADMIN_ONLY_PREFIX)
    if kind:
        rows = rows.filter(Q(action=kind) | Q(action__startswith=f"{kind}."))
    if object_type:
        rows = rows.filter(object_type=object_type)
    if obj:
        rows = rows.filter(Q(object_id=obj) | Q(object_label=obj))
    if actor:
        rows = rows.filter(actor_label=actor)
    if interface:
        rows = rows.filter(interface=interface)
    if project:
        rows = rows.filter(project=project)
    if environment:
        rows = rows.filter(environment=environment)
    if since:
        rows = rows.filter(created_at__gte=since)
    if until:
        rows = rows.filter(created_at__lt=until)
    return rows
