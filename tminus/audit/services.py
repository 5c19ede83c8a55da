"""Writing the audit log. Services call audit_record inside their own transaction."""

from datetime import date, datetime, time
from decimal import Decimal

from django.db.models import Model

from tminus.audit.models import AuditEvent
from tminus.audit.signals import change_recorded
from tminus.core.actors import Actor


def audit_record(
    *,
    actor: Actor,
    action: str,
    obj: Model,
    before: dict | None = None,
    after: dict | None = None,
    release_id: int | None = None,
    reason: str = "",
    project: str = "",
    environment: str = "",
) -> AuditEvent:
    """Record one change made by an actor, and tell the listeners (flag-change deliveries)."""
    return audit_operation(actor=actor, action=action, object_type=obj._meta.label_lower,
                           object_id=str(obj.pk), object_label=str(obj), before=before,
                           after=after, release_id=release_id, reason=reason,
                           project=project, environment=environment)


def audit_operation(
    *,
    actor: Actor,
    action: str,
    object_type: str,
    object_id: str,
    object_label: str = "",
    before: dict | None = None,
    after: dict | None = None,
    release_id: int | None = None,
    reason: str = "",
    project: str = "",
    environment: str = "",
) -> AuditEvent:
    """Record a change that no single row stands for (a backup taken, a database restored)."""
    user = actor.user if getattr(actor.user, "pk", None) else None
    event = AuditEvent.objects.create(
        actor=user,
        actor_label=actor.label,
        interface=actor.interface,
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_label=object_label[:255],
        release_id=release_id,
        before=_jsonable(before),
        after=_jsonable(after),
        reason=reason,
        project=project,
        environment=environment,
    )
    change_recorded.send(sender=AuditEvent, event=event)
    return event


def snapshot(obj: Model, fields: list[str]) -> dict:
    """The values of the named fields, ready for the before/after columns."""
    values = {}
    for name in fields:
        field = obj._meta.get_field(name)
        values[name] = getattr(obj, field.attname)
    return _jsonable(values)


def _jsonable(value):
    if value is None:
        return None
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value
