"""The steps every add, edit and remove of a release's rows shares: validate, save, audit.

Readiness uses these too, so each service states only its own rules.
"""

from collections.abc import Callable

from django.db.models import Model

from tminus.audit.services import audit_record, snapshot
from tminus.core.actors import Actor
from tminus.core.concurrency import save_versioned
from tminus.core.errors import ValidationFailed

Validate = Callable[[Model], dict]


def state(obj: Model, fields: list[str]) -> dict:
    """A row as a conflict answer shows it: its fields, id and revision."""
    return {**snapshot(obj, fields), "id": obj.pk, "revision": obj.revision}


def choice_error(value, choices, noun: str) -> str | None:
    """The message for a value that is not one of a TextChoices, or None."""
    if value in choices.values:
        return None
    return f"Unknown {noun} {value!r}; use one of {', '.join(choices.values)}."


def create_row(obj: Model, *, validate: Validate, fields: list[str], action: str, actor: Actor,
               release_id: int | None) -> Model:
    """Validate an unsaved row, save it and audit its creation."""
    errors = validate(obj)
    if errors:
        raise ValidationFailed(errors)
    obj.save()
    audit_record(actor=actor, action=action, obj=obj, release_id=release_id,
                 after=snapshot(obj, fields))
    return obj


def update_row(obj: Model, *, revision: int | None, changes: dict, allowed: set[str],
               validate: Validate, fields: list[str], action: str, actor: Actor,
               release_id: int | None, derive: Callable[[Model, dict], list[str]] | None = None,
               ) -> Model:
    """Apply changes, validate the result, save if the revision still matches, audit."""
    unknown = sorted(set(changes) - allowed)
    if unknown:
        raise ValidationFailed({field: "This field cannot be changed here." for field in unknown})
    empty = sorted(name for name, value in changes.items()
                   if value is None and not obj._meta.get_field(name).null)
    if empty:
        raise ValidationFailed({field: "This field cannot be empty." for field in empty})
    before = snapshot(obj, fields)
    for field, value in changes.items():
        setattr(obj, field, value)
    errors = validate(obj)
    if errors:
        raise ValidationFailed(errors)
    extra = derive(obj, changes) if derive else []
    save_versioned(obj, revision, [*changes, *extra], snapshot=lambda row: state(row, fields))
    audit_record(actor=actor, action=action, obj=obj, release_id=release_id, before=before,
                 after=snapshot(obj, fields))
    return obj


def remove_row(obj: Model, *, fields: list[str], action: str, actor: Actor,
               release_id: int | None) -> None:
    """Delete a row, keeping what it held in the audit log."""
    before = snapshot(obj, fields)
    audit_record(actor=actor, action=action, obj=obj, release_id=release_id, before=before)
    obj.delete()
