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
