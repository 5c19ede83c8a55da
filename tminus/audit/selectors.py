from tminus.audit.models import AuditEvent


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
