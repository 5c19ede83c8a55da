from django.conf import settings
from django.db import models

from tminus.core.actors import INTERFACES


class AuditEvent(models.Model):
    """One change: who made it, when, through which interface, and the state before and after."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    actor_label = models.CharField(max_length=150)
    interface = models.CharField(max_length=10, choices=INTERFACES)
    action = models.CharField(max_length=80, db_index=True)
    object_type = models.CharField(max_length=80)
    object_id = models.CharField(max_length=64)
    object_label = models.CharField(max_length=255, blank=True)
    # The release a change belongs to, so a release page can show its whole history.
    release_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    # The flag project and environment a change belongs to (empty for other areas), so the
    # audit API can filter by them.
    project = models.CharField(max_length=100, blank=True, db_index=True)
    environment = models.CharField(max_length=100, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_label} {self.action}"

    def changed_fields(self) -> list[tuple[str, object, object]]:
        """(field, before, after) for every field whose value differs."""
        before, after = self.before or {}, self.after or {}
        return [
            (key, before.get(key), after.get(key))
            for key in sorted(set(before) | set(after))
            if before.get(key) != after.get(key)
        ]
