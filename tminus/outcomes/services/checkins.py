"""Recording KPI readings: entered by a person, or taken from an automatic source once per slot."""

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from tminus.accounts.permissions import actor_can, require
from tminus.accounts.roles import CONTRIBUTE
from tminus.audit.services import audit_record, snapshot
from tminus.core import editing
from tminus.core.actors import Actor
from tminus.core.errors import NotAllowed, ValidationFailed
from tminus.outcomes.measure import kpi_slots, slot_due_at
from tminus.outcomes.models import Kpi, KpiCheckin
from tminus.outcomes.schedule import Slot
from tminus.outcomes.services.common import user_of
from tminus.outcomes.sources import MANUAL, kpi_source, kpi_source_value
from tminus.outcomes.targets import format_quantity, parse_value

CHECKIN_FIELDS = ["slot", "due_at", "taken_at", "value", "status", "error", "source",
                  "recorded_by", "note"]


def _require_may_record(actor: Actor, kpi: Kpi) -> None:
    # The person who owns a KPI may report it even when their role is read-only.
    if kpi.owner_id and user_of(actor) and actor.user.pk == kpi.owner_id:
        return
    if not actor_can(actor, CONTRIBUTE):
        raise NotAllowed("Your role does not allow this (contribute is needed), and you do not "
                         "own this KPI.")


def _slot_or_error(kpi: Kpi, key: str) -> Slot:
    for slot in kpi_slots(kpi):
        if slot.key == key:
            return slot
    known = ", ".join(s.key for s in kpi_slots(kpi)) or "none"
    raise ValidationFailed({"slot": f"{kpi.name} has no check-in {key!r}; its slots are: {known}."})


def _due_or_error(kpi: Kpi, slot: Slot, now: datetime) -> datetime:
    due_at = slot_due_at(kpi, slot)
    if due_at is None:
        raise ValidationFailed({"slot": "Scheduled check-ins start at go-live; set a go-live "
                                        "date (or the KPI's start) first."})
    if due_at > now:
        raise ValidationFailed({"slot": f"{slot.label} is not due until {due_at:%Y-%m-%d}."})
    return due_at


def _value_or_error(kpi: Kpi, value) -> float:
    try:
        return parse_value(value, kpi.unit)
    except ValueError as error:
        raise ValidationFailed({"value": str(error)}) from None


@transaction.atomic
def kpi_checkin_record(*, kpi: Kpi, value, slot: str = "", note: str = "",
                       actor: Actor) -> KpiCheckin:
    """Record a reading typed by a person, for a scheduled slot or as an extra reading.

    A slot that an automatic source could not read (missing) may be filled in by hand; a slot
    that already has a value is corrected with kpi_checkin_correct instead.
    """
    _require_may_record(actor, kpi)
    number = _value_or_error(kpi, value)
    now = timezone.now()
    due_at = _due_or_error(kpi, _slot_or_error(kpi, slot), now) if slot else None
    existing = None
    if slot:
        existing = KpiCheckin.objects.select_for_update().filter(kpi=kpi, slot=slot).first()
    if existing is not None and existing.status == KpiCheckin.RECORDED:
        raise ValidationFailed({"slot": (
            f"{slot} already has a reading ({format_quantity(existing.value, kpi.unit)}); "
            f"correct that reading instead.")})
    checkin = existing or KpiCheckin(kpi=kpi, slot=slot, due_at=due_at)
    before = snapshot(checkin, CHECKIN_FIELDS) if existing else None
    checkin.taken_at, checkin.value, checkin.status = now, number, KpiCheckin.RECORDED
    checkin.error, checkin.source, checkin.note = "", MANUAL, note.strip()[:500]
    checkin.recorded_by = user_of(actor)
    checkin.save()
    audit_record(actor=actor, action="kpi_checkin.fill" if existing else "kpi_checkin.record",
                 obj=checkin, release_id=kpi.release_id, before=before,
                 after={**snapshot(checkin, CHECKIN_FIELDS), "kpi": kpi.key})
    return checkin


@transaction.atomic
def kpi_checkin_correct(*, checkin: KpiCheckin, value, revision: int | None, note: str = "",
                        actor: Actor) -> KpiCheckin:
    """Correct a reading's value; the old one stays in the audit log."""
    kpi = checkin.kpi
    _require_may_record(actor, kpi)  # its owner may, whatever their role: the edit path's steps
    changes = {"value": _value_or_error(kpi, value), "status": KpiCheckin.RECORDED, "error": "",
               "recorded_by": user_of(actor), "source": MANUAL}
    note = (note or "").strip()[:500]
    if note:
        changes["note"] = note
    return editing.update_row(checkin, revision=revision, changes=changes,
                              allowed=set(changes), validate=lambda row: {},
                              fields=CHECKIN_FIELDS, action="kpi_checkin.correct", actor=actor,
                              release_id=kpi.release_id)


def kpi_checkin_take(*, kpi: Kpi, slot: str, actor: Actor) -> KpiCheckin:
    """Take a scheduled reading from the KPI's automatic source, once per slot.

    The source is asked outside the transaction (a slow server must not hold the database);
    a source that fails gives a missing reading with its error, never a zero.
    """
    require(actor, CONTRIBUTE)
    source = kpi_source(kpi.source)
    if source is None or not source.automatic:
        raise ValidationFailed({"source": f"{kpi.name} is entered by a person; record its "
                                          f"value instead."})
    existing = KpiCheckin.objects.filter(kpi=kpi, slot=slot).first()
    if existing is not None:
        return existing
    due_at = _due_or_error(kpi, _slot_or_error(kpi, slot), timezone.now())
    value, error = kpi_source_value(kpi, due_at)
    try:
        return _store_taken(kpi, slot, due_at, value, error, actor)
    except IntegrityError:
        # Another worker took this slot first; theirs stands.
        return KpiCheckin.objects.get(kpi=kpi, slot=slot)


@transaction.atomic
def _store_taken(kpi: Kpi, slot: str, due_at: datetime, value, error: str,
                 actor: Actor) -> KpiCheckin:
    missing = value is None
    checkin = KpiCheckin.objects.create(
        kpi=kpi, slot=slot, due_at=due_at, taken_at=timezone.now(),
        value=None if missing else value,
        status=KpiCheckin.MISSING if missing else KpiCheckin.RECORDED,
        error=(error or "The source gave no value.") if missing else "",
        source=kpi.source, recorded_by=user_of(actor),
    )
    audit_record(actor=actor, action="kpi_checkin.take", obj=checkin, release_id=kpi.release_id,
                 after={**snapshot(checkin, CHECKIN_FIELDS), "kpi": kpi.key})
    return checkin
