from datetime import datetime

from django.db.models import Q, QuerySet

from tminus.audit.models import AuditEvent

# Changes to people and their tokens are for administrators only.
ADMIN_ONLY_PREFIX = "accounts."


def audit_for_release(release_id: int, limit: int = 200, *, kind: str = "", actor_label: str = ""):
    """The newest changes that belong to a release, of one kind of object and by one person
    when asked."""
    events = AuditEvent.objects.filter(release_id=release_id).select_related("actor")
    if kind:
        events = events.filter(object_type=kind)
    if actor_label:
        events = events.filter(actor_label=actor_label)
    return events[:limit]


def audit_choices_for_release(release_id: int) -> tuple[list[str], list[str]]:
    """The kinds of object and the people a release's history holds, to filter it by."""
    events = AuditEvent.objects.filter(release_id=release_id)
    kinds = sorted(events.values_list("object_type", flat=True).distinct())
    people = sorted(events.values_list("actor_label", flat=True).distinct())
    return kinds, people


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


VERBS = {"add": "added", "create": "created", "update": "changed", "remove": "removed",
         "restore": "brought back", "move": "moved", "bulk_add": "added items to",
         "schedule_shift": "moved go-live of", "transition": "changed the status of",
         "dates_set": "set the dates of", "date_set": "set the date of", "vote": "voted on"}


def recent_changes(release_id: int, limit: int = 8) -> list[dict]:
    """The last changes to a release in words: who did what to which part, and when."""
    rows = []
    for event in audit_for_release(release_id, limit=limit):
        noun, _, verb = event.action.partition(".")
        fields = [name for name, _old, _new in event.changed_fields()
                  if name not in ("row", "items", "revision")]
        rows.append({
            "who": event.actor_label, "when": event.created_at, "via": event.interface,
            "verb": VERBS.get(verb, verb.replace("_", " ")),
            "noun": noun.replace("checklistitem", "checklist item").replace("_", " "),
            "label": event.object_label,
            "fields": [f.replace("_", " ") for f in fields] if verb == "update" else [],
        })
    return rows


def last_changed_by(obj) -> str:
    """Who made the latest recorded change to a row."""
    event = (AuditEvent.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))
             .order_by("-created_at", "-id").first())
    return event.actor_label if event else "someone else"
