from tminus.audit.models import AuditEvent


def audit_for_release(release_id: int, limit: int = 200):
    """The newest changes that belong to a release."""
    return AuditEvent.objects.filter(release_id=release_id).select_related("actor")[:limit]
