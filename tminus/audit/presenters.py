"""Audit entries as plain dicts, for the API and for webhooks."""

from tminus.audit.models import AuditEvent


def audit_entry(event: AuditEvent) -> dict:
    return {
        "id": event.pk, "at": event.created_at.isoformat(), "action": event.action,
        "object_type": event.object_type, "object_id": event.object_id,
        "object": event.object_label, "actor": event.actor_label,
        "interface": event.interface, "project": event.project,
        "environment": event.environment, "release_id": event.release_id,
        "before": event.before, "after": event.after, "reason": event.reason,
    }
