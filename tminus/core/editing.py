"""One edit path: validate, check the revision and permission, save, audit, for every kind of row.

How to use it. An area declares each editable model once as a `Kind`:

    RISK = Kind(model=Risk, action="risk", fields=RISK_FIELDS, capability=CONTRIBUTE,
                validate=_risk_errors, derive=_risk_derive, fixed={"score"})

and its services become short calls that keep their names, so views, the API, the CLI and the
worker go on calling them:

    def risk_update(*, risk, revision, changes, actor):
        return editing.update(RISK, risk, revision=revision, changes=changes, actor=actor)

`create(kind, obj, actor=...)` saves an unsaved row, `update(...)` applies a dict of changes,
`remove(...)` deletes. Each checks the actor's capability, refuses unknown fields, nulls in
columns that may not be NULL and values of the wrong type or length (422 with a message per
field, in a new row's fields as in an edit's changes), runs the area's own
`validate(obj) -> {field: message}` and `derive(obj, changes) -> [extra fields]` hooks, saves
with the revision check (`revision=None` only for internal callers; the interfaces pass what
the person sent, see `tminus.core.api.edit_revision`) and records the audit event with the
interface of the actor. Raise `tminus.core.errors` exceptions from hooks for anything else.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Model

from tminus.accounts.permissions import require
from tminus.audit.services import audit_record, snapshot
from tminus.core.actors import Actor
from tminus.core.concurrency import NULL_MESSAGE, save_versioned
from tminus.core.errors import ValidationFailed

Validate = Callable[[Model], dict]
Derive = Callable[[Model, dict], list[str]]


def _no_errors(obj: Model) -> dict:
    return {}


def _release_of(obj: Model) -> int | None:
    return getattr(obj, "release_id", None)


@dataclass(frozen=True)
class Kind:
    """An editable model: its fields, who may change it, its release, the area's own rules."""

    model: type[Model]
    action: str  # audit actions are "<action>.<add_verb>", "<action>.update", "<action>.remove"
    fields: list[str]  # what the audit log and a conflict answer show
    capability: str
    validate: Validate = _no_errors
    derive: Derive | None = None
    fixed: set[str] = field(default_factory=set)  # shown but never changed by an edit
    hidden: set[str] = field(default_factory=set)  # changed by an edit, never shown (a secret)
    release_id: Callable[[Model], int | None] = _release_of
    add_verb: str = "add"
    update_verb: str = "update"
    remove_verb: str = "remove"

    @property
    def editable(self) -> set[str]:
        return (set(self.fields) - self.fixed) | self.hidden


def state(obj: Model, fields: list[str]) -> dict:
    """A row as a conflict answer shows it: its fields, id and revision."""
    return {**snapshot(obj, fields), "id": obj.pk, "revision": obj.revision}


def choice_error(value, choices, noun: str) -> str | None:
    """The message for a value that is not one of a TextChoices, or None."""
    if value in choices.values:
        return None
    return f"Unknown {noun} {value!r}; use one of {', '.join(choices.values)}."


def change_errors(model: type[Model], changes: dict, allowed: set[str]) -> dict:
    """Per field: unknown fields, nulls in NOT NULL columns, values of the wrong type."""
    errors = {}
    for name, value in changes.items():
        if name not in allowed:
            errors[name] = "This field cannot be changed here."
            continue
        message = value_error(model._meta.get_field(name), value)
        if message:
            errors[name] = message
    return errors


def row_errors(obj: Model, fields: list[str]) -> dict:
    """Per field of a new row: nulls in NOT NULL columns, values of the wrong type."""
    errors = {}
    for name in fields:
        column = obj._meta.get_field(name)
        message = value_error(column, getattr(obj, column.attname))
        if message:
            errors[name] = message
    return errors


def value_error(column, value) -> str | None:
    """Why a value cannot go into a column (null, wrong type, too long), or None."""
    if value is None:
        return None if column.null else NULL_MESSAGE
    if isinstance(column, models.CharField | models.TextField):
        if not isinstance(value, str):
            return "Send text here."
        if column.max_length and len(value) > column.max_length:
            return f"At most {column.max_length} characters."
    elif not column.is_relation:
        try:
            column.to_python(value)
        except ValidationError as error:
            return " ".join(error.messages)
    return None


@transaction.atomic
def create(kind: Kind, obj: Model, *, actor: Actor, errors: dict | None = None) -> Model:
    """Validate an unsaved row, save it and audit its creation.

    `errors` are what the service found itself (a taken name, a weak password): they are
    reported together with the row's own, so a person sees every field's problem at once.
    """
    require(actor, kind.capability)
    return create_row(obj, validate=kind.validate, fields=kind.fields,
                      action=f"{kind.action}.{kind.add_verb}", actor=actor,
                      release_id=kind.release_id(obj), checked=sorted(kind.editable),
                      errors=errors)


@transaction.atomic
def update(kind: Kind, obj: Model, *, revision: int | None, changes: dict, actor: Actor,
           derive: Derive | None = None) -> Model:
    """Apply changes a person made from `revision`, validate, save, audit.

    `derive` stands in for the kind's own hook when the rule needs more than the row, such as
    who made the change (a ticked item records who ticked it).
    """
    require(actor, kind.capability)
    return update_row(obj, revision=revision, changes=changes, allowed=kind.editable,
                      validate=kind.validate, fields=kind.fields,
                      action=f"{kind.action}.{kind.update_verb}", actor=actor,
                      release_id=kind.release_id(obj), derive=derive or kind.derive)


@transaction.atomic
def remove(kind: Kind, obj: Model, *, actor: Actor) -> None:
    """Delete a row, keeping what it held in the audit log."""
    require(actor, kind.capability)
    remove_row(obj, fields=kind.fields, action=f"{kind.action}.{kind.remove_verb}", actor=actor,
               release_id=kind.release_id(obj))


def new_row_errors(kind: Kind, obj: Model) -> dict:
    """What `create` would refuse in an unsaved row, per field: for a batch that validates
    every row first and then inserts them at once."""
    return row_errors(obj, sorted(kind.editable)) or kind.validate(obj)


# The steps themselves, for services that check permission their own way --------------------
def create_row(obj: Model, *, validate: Validate, fields: list[str], action: str, actor: Actor,
               release_id: int | None, checked: list[str] = (), errors: dict | None = None,
               ) -> Model:
    """Check the `checked` fields' values, validate an unsaved row, save it, audit it."""
    # The caller's messages win for a field both name: they say more than a length or a type.
    errors = {**(row_errors(obj, checked) or validate(obj)), **(errors or {})}
    if errors:
        raise ValidationFailed(errors)
    obj.save()
    audit_record(actor=actor, action=action, obj=obj, release_id=release_id,
                 after=snapshot(obj, fields))
    return obj


def update_row(obj: Model, *, revision: int | None, changes: dict, allowed: set[str],
               validate: Validate, fields: list[str], action: str, actor: Actor,
               release_id: int | None, derive: Derive | None = None) -> Model:
    """Apply changes, validate the result, save if the revision still matches, audit."""
    errors = change_errors(type(obj), changes, allowed)
    if errors:
        raise ValidationFailed(errors)
    before = snapshot(obj, fields)
    for name, value in changes.items():
        setattr(obj, name, value)
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
