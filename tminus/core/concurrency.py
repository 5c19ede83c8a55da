"""Optimistic concurrency: a write names the revision it was made from; a stale one is refused."""

from django.db.models import F, Model

from tminus.core.errors import Conflict


def save_versioned(obj: Model, expected_revision: int | None, fields: list[str], snapshot) -> None:
    """Save `fields` of obj only if its row still has `expected_revision`; bump the revision."""
    model = type(obj)
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
