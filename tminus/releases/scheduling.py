"""Dates that follow go-live. Each registered (model, date, offset) pair moves when go-live moves.

A row whose offset is empty had its date set by hand, so it stays put.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Model

from tminus.core.offsets import date_at
from tminus.releases.calendars import calendar_for


@dataclass(frozen=True)
class OffsetDate:
    model: type[Model]
    date_field: str
    offset_field: str
    release_field: str = "release"


_offset_dates: list[OffsetDate] = []


def register_offset_date(model, date_field: str, offset_field: str, release_field="release"):
    """Make model.date_field follow go-live by model.offset_field days."""
    entry = OffsetDate(model, date_field, offset_field, release_field)
    if entry not in _offset_dates:
        _offset_dates.append(entry)


def offset_dates() -> list[OffsetDate]:
    return list(_offset_dates)


def recompute_offset_dates(release) -> int:
    """Recompute every offset-based date of a release from its go-live; returns rows moved."""
    calendar = calendar_for(release.product_id)
    moved = 0
    for entry in _offset_dates:
        rows = list(
            entry.model.objects.filter(
                **{entry.release_field: release, f"{entry.offset_field}__isnull": False}
            )
        )
        changed = []
        for row in rows:
            new_date = date_at(release.go_live, getattr(row, entry.offset_field), calendar)
            if getattr(row, entry.date_field) != new_date:
                setattr(row, entry.date_field, new_date)
                changed.append(row)
        entry.model.objects.bulk_update(changed, [entry.date_field], batch_size=500)
        moved += len(changed)
    return moved


def shift_fixed_dates(release, days: int) -> int:
    """Move every date of a release that was set by hand (no offset) by `days`; returns rows
    moved. Offset-based dates are left to recompute_offset_dates."""
    moved = 0
    for entry in _offset_dates:
        rows = list(entry.model.objects.filter(
            **{entry.release_field: release, f"{entry.offset_field}__isnull": True,
               f"{entry.date_field}__isnull": False}))
        for row in rows:
            setattr(row, entry.date_field, getattr(row, entry.date_field) + timedelta(days=days))
        entry.model.objects.bulk_update(rows, [entry.date_field], batch_size=500)
        moved += len(rows)
    return moved
