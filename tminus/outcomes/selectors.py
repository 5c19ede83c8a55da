"""Reads of KPIs, their readings and the close-out. Lists run a fixed number of queries."""

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Prefetch, Q
from django.utils import timezone

from tminus.core.errors import NotFound
from tminus.outcomes.measure import (
    MISSING,
    checkin_verdict,
    kpi_slots,
    kpi_status,
    kpi_target,
    slot_due_at,
)
from tminus.outcomes.models import Closeout, Kpi, KpiCheckin, SignOff
from tminus.outcomes.schedule import Slot
from tminus.outcomes.sources import automatic_source_keys
from tminus.outcomes.targets import Target


@dataclass
class KpiView:
    """A KPI with its readings (each with its verdict) and its status now."""

    kpi: Kpi
    target: Target
    checkins: list = field(default_factory=list)
    status: str = "no_data"

    @property
    def latest(self) -> KpiCheckin | None:
        recorded = [c for c in self.checkins if c.verdict != MISSING]
        return recorded[-1] if recorded else None

    @property
    def by_slot(self) -> dict[str, KpiCheckin]:
        return {c.slot: c for c in self.checkins if c.slot}


def kpi_view(kpi: Kpi, checkins, now: datetime | None = None) -> KpiView:
    now = now or timezone.now()
    checkins = sorted(checkins, key=lambda c: (c.moment, c.pk or 0))
    for checkin in checkins:
        checkin.verdict = checkin_verdict(kpi, checkin)
    return KpiView(kpi=kpi, target=kpi_target(kpi), checkins=checkins,
                   status=kpi_status(kpi, checkins, now))


def _with_readings(kpis):
    readings = KpiCheckin.objects.select_related("recorded_by")
    return kpis.select_related("release", "product", "owner").prefetch_related(
        Prefetch("checkins", queryset=readings))


def kpi_views(kpis, now: datetime | None = None) -> list[KpiView]:
    """Views of many KPIs in three queries."""
    now = now or timezone.now()
    return [kpi_view(kpi, kpi.checkins.all(), now) for kpi in _with_readings(kpis)]


def release_kpis(release, now: datetime | None = None) -> list[KpiView]:
    return kpi_views(Kpi.objects.filter(release=release), now)


def product_kpis(product, now: datetime | None = None) -> list[KpiView]:
    return kpi_views(Kpi.objects.filter(product=product), now)


def kpi_get(kpi_id: int) -> Kpi:
    kpi = _with_readings(Kpi.objects.filter(pk=kpi_id)).first()
    if kpi is None:
        raise NotFound(f"No KPI {kpi_id}.")
    return kpi


def kpi_by_key(release, key: str) -> Kpi:
    """A release's KPI by key (or id), or NotFound naming the release's KPIs."""
    kpis = Kpi.objects.filter(release=release)
    kpi = kpis.filter(key=key).first() or (kpis.filter(pk=int(key)).first()
                                          if key.isdigit() else None)
    if kpi is None:
        known = ", ".join(kpis.values_list("key", flat=True)) or "none"
        raise NotFound(f"{release.key} has no KPI {key!r}; its KPIs are: {known}.")
    return kpi


def due_slots(kpi: Kpi, now: datetime) -> list[Slot]:
    """The KPI's slots that are due by now."""
    return [slot for slot in kpi_slots(kpi)
            if (due := slot_due_at(kpi, slot)) is not None and due <= now]


def open_slot(kpi: Kpi, taken: set[str], now: datetime | None = None) -> Slot | None:
    """The latest due slot without a value yet: what a person reporting today fills in."""
    open_slots = [s for s in due_slots(kpi, now or timezone.now()) if s.key not in taken]
    return max(open_slots, key=lambda s: slot_due_at(kpi, s)) if open_slots else None


def due_automatic_slots(now: datetime | None = None) -> list[tuple[int, str]]:
    """(KPI id, slot) for every due slot of an automatic KPI that has no reading yet."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    started = (Q(release__go_live__lte=today) & ~Q(release__status="cancelled")) | Q(
        product__isnull=False, starts_on__lte=today)
    kpis = (Kpi.objects.filter(started, source__in=automatic_source_keys())
            .select_related("release").prefetch_related(
                Prefetch("checkins", queryset=KpiCheckin.objects.only("kpi_id", "slot"))))
    due = []
    for kpi in kpis:
        taken = {c.slot for c in kpi.checkins.all()}
        due += [(kpi.pk, slot.key) for slot in due_slots(kpi, now) if slot.key not in taken]
    return due


@dataclass
class SlotRow:
    slot: Slot
    due_on: object
    cells: list
    status: str


@dataclass
class CheckinTable:
    kind: str
    title: str
    heading: str
    views: list
    rows: list


_TABLE_TITLES = {"daily": ("Daily metrics", "Day"), "weekly": ("Weekly metrics", "Week"),
                 "monthly": ("Monthly metrics", "Month")}


def checkin_tables(views: list[KpiView], now: datetime | None = None) -> list[CheckinTable]:
    """Seed 003's daily and weekly tables: a row per slot, a column per KPI, and a status."""
    now = now or timezone.now()
    tables = []
    for kind, (title, heading) in _TABLE_TITLES.items():
        slots = _slots_of_kind(views, kind)
        if not slots:
            continue
        rows = [_slot_row(slot, views, now) for slot in slots]
        tables.append(CheckinTable(kind=kind, title=title, heading=heading, views=views,
                                   rows=rows))
    return tables


def _slots_of_kind(views, kind: str) -> list[Slot]:
    seen: dict[str, Slot] = {}
    for view in views:
        for slot in kpi_slots(view.kpi):
            if slot.kind == kind:
                seen.setdefault(slot.key, slot)
    return sorted(seen.values(), key=lambda s: s.number)


def _slot_row(slot: Slot, views, now: datetime) -> SlotRow:
    cells, due_on = [], None
    for view in views:
        due_at = slot_due_at(view.kpi, slot)
        due_on = due_on or (due_at.date() if due_at else None)
        scheduled = any(s.key == slot.key for s in kpi_slots(view.kpi))
        checkin = view.by_slot.get(slot.key)
        state = checkin.verdict if checkin else (
            "n/a" if not scheduled else "due" if due_at and due_at <= now else "later")
        cells.append({"view": view, "checkin": checkin, "state": state})
    return SlotRow(slot=slot, due_on=due_on, cells=cells, status=_row_status(cells))


def _row_status(cells) -> str:
    states = {cell["state"] for cell in cells}
    if "missed" in states:
        return "Issues"
    if "missing" in states or "due" in states:
        return "Incomplete"
    if states <= {"later", "n/a"}:
        return ""
    return "Stable"


def closeout_for(release) -> Closeout | None:
    return Closeout.objects.filter(release=release).select_related("handoff_section").first()


def signoffs_of(release) -> list[SignOff]:
    return list(release.signoffs.select_related("assignee", "signed_by"))
