"""Keeping rows in order: moving one row to a new place renumbers its siblings."""

from django.db.models import QuerySet


def order_move(siblings: QuerySet, row, position: int) -> list:
    """Put row at position (0-based, clamped) among its siblings; returns the rows renumbered."""
    rows = [other for other in siblings.order_by("order", "id") if other.pk != row.pk]
    position = max(0, min(position, len(rows)))
    rows.insert(position, row)
    changed = []
    for index, other in enumerate(rows):
        if other.order != index or other.pk == row.pk:
            other.order = index
            changed.append(other)
    type(row).objects.bulk_update(changed, ["order"])
    return changed


def order_close_gap(siblings: QuerySet) -> None:
    """Renumber siblings 0, 1, 2 ... after one of them was removed."""
    rows = list(siblings.order_by("order", "id"))
    changed = []
    for index, row in enumerate(rows):
        if row.order != index:
            row.order = index
            changed.append(row)
    if changed:
        type(changed[0]).objects.bulk_update(changed, ["order"])
