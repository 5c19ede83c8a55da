"""Defining KPIs: a target with comparator and unit, a source and a check-in schedule."""

from django.db import transaction

from tminus.accounts.permissions import require
from tminus.accounts.roles import MANAGE
from tminus.core import editing
from tminus.core.actors import Actor
from tminus.core.errors import ValidationFailed
from tminus.core.keys import make_key
from tminus.core.outbound import url_problem
from tminus.outcomes.models import Kpi
from tminus.outcomes.schedule import parse_schedule
from tminus.outcomes.sources import MANUAL, kpi_source, kpi_sources
from tminus.outcomes.targets import Target, parse_target, parse_value

KPI_FIELDS = ["key", "name", "target_text", "comparator", "target_value", "unit", "window",
              "window_hours", "baseline", "source", "query", "source_url", "schedule",
              "starts_on", "owner"]
EDITABLE = {"name", "target", "baseline", "source", "query", "source_url", "schedule",
            "starts_on", "owner"}


def _target_or_error(text: str) -> Target:
    try:
        return parse_target(text)
    except ValueError as error:
        raise ValidationFailed({"target": str(error)}) from None


def _source_errors(source: str, query: str, source_url: str) -> dict:
    errors = {}
    found = kpi_source(source)
    if found is None:
        known = ", ".join(s.key for s in kpi_sources())
        errors["source"] = f"Unknown source {source!r}; use one of: {known}."
    elif found.automatic and not (query or "").strip():
        errors["query"] = f"A KPI read from {found.label} needs a {found.query_label.lower()}."
    if source_url and url_problem(source_url):
        errors["source_url"] = url_problem(source_url)
    return errors


def _baseline_or_errors(value, unit: str) -> tuple[float | None, dict]:
    """A baseline in the KPI's unit ('0.8%', '1.2 s', a bare number); empty for none."""
    if value is None or str(value).strip() == "":
        return None, {}
    try:
        return parse_value(value, unit), {}
    except ValueError as error:
        return None, {"baseline": str(error)}


def _schedule_errors(schedule: str) -> dict:
    if not schedule:
        return {}
    try:
        parse_schedule(schedule)
    except ValueError as error:
        return {"schedule": str(error)}
    return {}


def _apply_target(kpi: Kpi, text: str, target: Target) -> None:
    kpi.target_text = text.strip()
    kpi.comparator, kpi.target_value, kpi.unit = target.comparator, target.value, target.unit
    kpi.window, kpi.window_hours = target.window, target.window_hours


def _unique_key(kpi: Kpi, wanted: str) -> str:
    siblings = Kpi.objects.filter(release=kpi.release, product=kpi.product).exclude(pk=kpi.pk)
    taken = set(siblings.values_list("key", flat=True))
    base = make_key(wanted)[:55] or "kpi"
    key, counter = base, 2
    while key in taken:
        key, counter = f"{base}-{counter}", counter + 1
    return key


def _kpi_errors(kpi: Kpi) -> dict:
    errors = _source_errors(kpi.source, kpi.query, kpi.source_url) | _schedule_errors(kpi.schedule)
    if not kpi.name.strip():
        errors["name"] = "A KPI needs a name."
    return errors


def _kpi_derive(kpi: Kpi, changes: dict) -> list[str]:
    stripped = ["name", "query", "source_url", "schedule"]
    for field in stripped:
        setattr(kpi, field, getattr(kpi, field).strip())
    return stripped


KPI = editing.Kind(model=Kpi, action="kpi", fields=KPI_FIELDS, capability=MANAGE,
                   validate=_kpi_errors, derive=_kpi_derive, fixed={"key"}, add_verb="create",
                   remove_verb="delete")


def _kpi_changes(kpi: Kpi, changes: dict) -> dict:
    """A person's edit of a KPI as changes of its columns: a target is parsed into its
    comparator, value, unit and window (keeping the unit of the readings), a baseline is read
    in the KPI's unit."""
    unknown = set(changes) - EDITABLE
    if unknown:
        raise ValidationFailed({field: "This field cannot be changed here." for field in unknown})
    changes = dict(changes)
    if "target" in changes:
        text = changes.pop("target")
        problem = editing.value_error(Kpi._meta.get_field("target_text"), text)
        if problem:
            raise ValidationFailed({"target": problem})
        parsed = _target_or_error(text)
        if parsed.unit != kpi.unit and kpi.checkins.exists():
            raise ValidationFailed({"target": f"This KPI already has readings in {kpi.unit}; a "
                                              f"new target must use the same unit."})
        changes.update(target_text=text.strip(), comparator=parsed.comparator,
                       target_value=parsed.value, unit=parsed.unit, window=parsed.window,
                       window_hours=parsed.window_hours)
    if "baseline" in changes:
        changes["baseline"], errors = _baseline_or_errors(changes["baseline"],
                                                          changes.get("unit", kpi.unit))
        if errors:
            raise ValidationFailed(errors)
    return changes


@transaction.atomic
def kpi_create(*, target: str, release=None, product=None, name: str = "",
               source: str = MANUAL, query: str = "", source_url: str = "", schedule: str = "",
               starts_on=None, owner=None, baseline=None, actor: Actor) -> Kpi:
    """Add a KPI to a release or to a product's roadmap; the target must parse."""
    require(actor, MANAGE)
    if (release is None) == (product is None):
        raise ValidationFailed({"release": "A KPI belongs to a release or to a product."})
    parsed = _target_or_error(target)
    name = (name or "").strip() or parsed.subject[:1].upper() + parsed.subject[1:]
    if not name:
        raise ValidationFailed({"name": f"Name the KPI: the target {target.strip()!r} does not "
                                        f"say what is measured."})
    baseline, baseline_errors = _baseline_or_errors(baseline, parsed.unit)
    if baseline_errors:
        raise ValidationFailed(baseline_errors)
    kpi = Kpi(release=release, product=product, name=name[:200], source=source,
              query=query or "", source_url=source_url or "", schedule=schedule or "",
              starts_on=starts_on if product is not None else None, owner=owner,
              baseline=baseline)
    _apply_target(kpi, target, parsed)
    _kpi_derive(kpi, {})
    kpi.key = _unique_key(kpi, name)
    kpi.order = (release or product).kpis.count()
    return editing.create(KPI, kpi, actor=actor)


def kpi_update(*, kpi: Kpi, revision: int | None, changes: dict, actor: Actor) -> Kpi:
    """Change a KPI's definition; a new target must parse and keep the unit of its readings."""
    require(actor, MANAGE)
    return editing.update(KPI, kpi, revision=revision, changes=_kpi_changes(kpi, changes),
                          actor=actor)


def kpi_delete(*, kpi: Kpi, actor: Actor) -> None:
    """Remove a KPI with its readings."""
    editing.remove(KPI, kpi, actor=actor)
