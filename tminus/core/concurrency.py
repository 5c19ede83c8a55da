"""Optimistic concurrency: a write names the revision it was made from; a stale one is refused.

People (the API and the web forms) must name the revision they edited: when they do not, the
interface passes REVISION_MISSING and the write is refused with 428 and the current state. Code
that deliberately writes whatever is there (the worker, imports, status stamps) passes None.
"""

from django.db.models import F, Model

from tminus.core.errors import Conflict, PreconditionRequired, ValidationFailed

REVISION_MISSING = -1  # no row ever has it; the interfaces pass it for an edit without a revision
NULL_MESSAGE = "This field cannot be null; leave it out to keep its value."


def refuse_nulls(obj: Model, fields: list[str]) -> None:
    """A 422 naming each field that holds None but whose column may not be NULL."""
    empty = [name for name in fields
             if getattr(obj, name) is None and not obj._meta.get_field(name).null]
    if empty:
        raise ValidationFailed(dict.fromkeys(empty, NULL_MESSAGE))


def save_versioned(obj: Model, expected_revision: int | None, fields: list[str], snapshot) -> None:
    """Save `fields` of obj only if its row still has `expected_revision`; bump the revision."""
    refuse_nulls(obj, fields)
    model = type(obj)
    if expected_revision == REVISION_MISSING:
        raise PreconditionRequired(
            f"Say which revision of this {model._meta.verbose_name} you edited: send 'revision' "
            "or an If-Match header with the ETag its GET returned.",
            current=snapshot(model.objects.get(pk=obj.pk)),
        )
    queryset = model.objects.filter(pk=obj.pk)
    if expected_revision is not None:
        queryset = queryset.filter(revision=expected_revision)
    values = {name: getattr(obj, name) for name in fields}
    updated = queryset.update(revision=F("revision") + 1, **values)
    if not updated:
        current = model.objects.get(pk=obj.pk)
        raise Conflict(
            f"This {model._meta.verbose_name} was changed by someone else "
            f"(you edited revision {expected_revision}, it is now at revision {current.revision}).",
            current=snapshot(current),
        )
    obj.refresh_from_db(fields=["revision"])
