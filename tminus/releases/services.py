"""Every write to a release plan. Each function runs in a transaction and is audited."""

from datetime import date, timedelta
from urllib.parse import urlencode

from django.db import transaction
from django.utils import timezone

from tminus.accounts.permissions import require
from tminus.accounts.roles import CONTRIBUTE, MANAGE, VIEW
from tminus.audit.services import audit_record, snapshot
from tminus.core import editing
from tminus.core.actors import Actor
from tminus.core.concurrency import save_versioned
from tminus.core.editing import choice_error
from tminus.core.errors import NotAllowed, TransitionNotAllowed, ValidationFailed
from tminus.core.events import emit
from tminus.core.keys import make_key
from tminus.core.offsets import MAX_DAYS, date_at, is_working_days
from tminus.releases import templating
from tminus.releases.calendars import calendar_for
from tminus.releases.choices import (
    FINISHED_ITEM_STATUSES,
    ItemStatus,
    MilestoneKind,
    ReleaseType,
    ScopeKind,
    ScopeStatus,
)
from tminus.releases.ics import ics_days
from tminus.releases.models import (
    ChecklistItem,
    ChecklistSection,
    Holiday,
    Milestone,
    Phase,
    Product,
    Release,
    SavedFilter,
    ScopeItem,
    WorkingWeek,
)
from tminus.releases.scheduling import recompute_offset_dates, shift_fixed_dates
from tminus.releases.workflow import transition_refusal

RELEASE_FIELDS = ["name", "version", "release_type", "goal", "owner", "status", "go_live",
                  "planning_start"]
ITEM_FIELDS = ["text", "status", "owner", "responsible", "due_date", "due_offset", "notes",
               "done_by", "done_at"]
SCOPE_FIELDS = ["kind", "title", "description", "status", "link"]


@transaction.atomic
def product_create(*, key: str, name: str, description: str = "", owner=None,
                   actor: Actor) -> Product:
    """Create a product."""
    require(actor, MANAGE)
    key = make_key(key or name)
    errors = {}
    if not (name or "").strip():
        errors["name"] = "A product needs a name."
    if not key:
        errors["key"] = "A product needs a key of letters, digits or dashes."
    elif Product.objects.filter(key=key).exists():
        errors["key"] = f"A product with key {key!r} already exists."
    if errors:
        raise ValidationFailed(errors)
    product = Product.objects.create(key=key, name=name.strip(), description=description,
                                     owner=owner)
    audit_record(actor=actor, action="product.create", obj=product,
                 after=snapshot(product, ["key", "name", "description", "owner"]))
    return product


def _unique_release_key(product: Product, wanted: str) -> str:
    base = make_key(wanted)[:70] or product.key
    key, counter = base, 2
    while Release.objects.filter(key=key).exists():
        key, counter = f"{base}-{counter}", counter + 1
    return key


def _release_errors(*, name, release_type, go_live, planning_start) -> dict:
    errors = {}
    if not (name or "").strip():
        errors["name"] = "A release needs a name."
    if release_type not in ReleaseType.values:
        errors["release_type"] = f"Unknown release type {release_type!r}."
    if go_live and planning_start and go_live < planning_start:
        errors["go_live"] = (
            f"Go-live ({go_live}) cannot be before the planning start ({planning_start})."
        )
    return errors


@transaction.atomic
def release_create(
    *, product: Product, name: str, template_key: str, go_live: date | None,
    version: str = "", goal: str = "", owner=None, key: str = "",
    planning_start: date | None = None, release_type: str | None = None, actor: Actor,
) -> Release:
    """Create a release from a template; every template date is computed from go-live."""
    require(actor, MANAGE)
    definition = templating.template_definition(template_key)
    release_type = release_type or definition.get("release_type", ReleaseType.MINOR)
    if planning_start is None:
        planning_start = date_at(go_live, templating.earliest_offset(definition))
    errors = _release_errors(name=name, release_type=release_type, go_live=go_live,
                             planning_start=planning_start)
    key = make_key(key)
    if key and Release.objects.filter(key=key).exists():
        errors["key"] = f"A release with key {key!r} already exists."
    if errors:
        raise ValidationFailed(errors)
    release = Release.objects.create(
        product=product,
        key=key or _unique_release_key(product, f"{product.key}-{version or name}"),
        name=name.strip(), version=version, release_type=release_type, goal=goal, owner=owner,
        go_live=go_live, planning_start=planning_start, template_key=definition["key"],
    )
    templating.template_apply(release, definition)
    audit_record(actor=actor, action="release.create", obj=release, release_id=release.pk,
                 after={**snapshot(release, RELEASE_FIELDS), "template": definition["key"]})
    return release


def release_update(*, release: Release, revision: int | None, changes: dict,
                   actor: Actor) -> Release:
    """Change a release's overview fields (not its status or go-live, which have their own)."""
    return editing.update(RELEASE, release, revision=revision, changes=changes, actor=actor)


def _release_row_errors(release: Release) -> dict:
    return _release_errors(name=release.name, release_type=release.release_type,
                           go_live=release.go_live, planning_start=release.planning_start)


# Status and go-live change through their own services (the workflow, the schedule shift).
RELEASE = editing.Kind(model=Release, action="release", fields=RELEASE_FIELDS, capability=MANAGE,
                       validate=_release_row_errors, fixed={"status", "go_live"},
                       release_id=lambda release: release.pk, add_verb="create")


def _release_state(release: Release) -> dict:
    return {**snapshot(release, RELEASE_FIELDS), "revision": release.revision,
            "key": release.key}


@transaction.atomic
def release_schedule_shift(*, release: Release, go_live: date, actor: Actor,
                           revision: int | None = None, reason: str = "") -> int:
    """Move go-live; every offset-based date follows, dates set by hand stay put.

    Everything that means go-live follows it: the milestones of kind go-live (an imported plan
    writes its go-live as a dated milestone too) and the overview's planning start, so that no
    page or export shows the old date next to the new one.
    """
    require(actor, MANAGE)
    if go_live is None:
        raise ValidationFailed({"go_live": "A new go-live date is required."})
    planning_start = _planning_start_after_move(release, go_live)
    if planning_start and go_live < planning_start:
        raise ValidationFailed({"go_live": (
            f"Go-live ({go_live}) cannot be before the planning start ({planning_start})."
        )})
    before = {"go_live": release.go_live, "planning_start": release.planning_start}
    release.go_live, release.planning_start = go_live, planning_start
    moved = recompute_offset_dates(release)
    moved += _go_live_milestones_follow(release)
    save_versioned(release, revision, ["go_live", "planning_start"], snapshot=_release_state)
    audit_record(actor=actor, action="release.schedule_shift", obj=release,
                 release_id=release.pk, before=before,
                 after={"go_live": go_live, "planning_start": release.planning_start,
                        "dates_moved": moved}, reason=reason)
    return moved


@transaction.atomic
def release_plan_shift(*, release: Release, days: int, actor: Actor, reason: str = "") -> int:
    """Move the whole plan by `days`: go-live, the planning start and every date in it, those
    set by hand too (a plan written for another year, moved to now). Returns dates moved."""
    require(actor, MANAGE)
    if not isinstance(days, int) or abs(days) > MAX_DAYS:
        raise ValidationFailed({"days": f"Move a plan by at most {MAX_DAYS} days."})
    before = snapshot(release, ["go_live", "planning_start"])
    for name in ("go_live", "planning_start"):
        if getattr(release, name):
            setattr(release, name, getattr(release, name) + timedelta(days=days))
    save_versioned(release, None, ["go_live", "planning_start"], snapshot=_release_state)
    moved = shift_fixed_dates(release, days) + recompute_offset_dates(release)
    audit_record(actor=actor, action="release.plan_shift", obj=release, release_id=release.pk,
                 before=before, after={**snapshot(release, ["go_live", "planning_start"]),
                                       "days": days, "dates_moved": moved}, reason=reason)
    return moved


def _go_live_milestones_follow(release: Release) -> int:
    """Go-live milestones land on go-live, and keep following it (offset 0)."""
    stale = Milestone.objects.filter(release=release, kind=MilestoneKind.GO_LIVE).exclude(
        date=release.go_live, date_offset=0)
    return stale.update(date=release.go_live, date_offset=0)


def _planning_start_after_move(release: Release, go_live: date) -> date | None:
    """The planning start the overview shows once go-live is at `go_live`.

    A planning-start milestone is the plan's own word for it, whether it follows go-live or
    was set by hand; without one the planning start keeps its distance to go-live.
    """
    milestone = Milestone.objects.filter(
        release=release, kind=MilestoneKind.PLANNING_START).exclude(
        date__isnull=True, date_offset__isnull=True).order_by("date").first()
    if milestone is not None:
        if milestone.date_offset is not None:
            return date_at(go_live, milestone.date_offset)
        return milestone.date
    if release.planning_start and release.go_live:
        return release.planning_start + (go_live - release.go_live)
    return release.planning_start


@transaction.atomic
def release_transition(*, release: Release, to_status: str, actor: Actor,
                       reason: str = "") -> Release:
    """Move a release along its workflow, or refuse with the reason."""
    require(actor, MANAGE)
    release = Release.objects.select_for_update().get(pk=release.pk)
    refusal = transition_refusal(release, to_status)
    if refusal:
        raise TransitionNotAllowed(refusal)
    before = {"status": release.status}
    release.status = to_status
    save_versioned(release, None, ["status"], snapshot=_release_state)
    audit_record(actor=actor, action="release.transition", obj=release, release_id=release.pk,
                 before=before, after={"status": to_status}, reason=reason)
    emit("release.status_changed", release=release, actor=actor,
         payload={"from": before["status"], "to": to_status, "reason": reason})
    return release


def checklist_item_update(*, item: ChecklistItem, revision: int | None, changes: dict,
                          actor: Actor) -> ChecklistItem:
    """Edit a checklist item; ticking it records who and when, a stale edit gets a conflict."""
    return editing.update(ITEM, item, revision=revision, changes=changes, actor=actor,
                          derive=lambda row, changed: _item_derive(row, changed, actor))


def _item_errors(item: ChecklistItem) -> dict:
    errors = {}
    if not (item.text or "").strip():
        errors["text"] = "A checklist item needs text."
    message = choice_error(item.status, ItemStatus, "status")
    if message:
        errors["status"] = message
    return errors


def _item_derive(item: ChecklistItem, changes: dict, actor: Actor) -> list[str]:
    """A due offset places the due date; a new status stamps (or clears) who finished it."""
    extra = []
    if "due_date" in changes or "due_offset" in changes:
        _place_due(item, changes.get("due_offset"))
        extra += [name for name in ("due_date", "due_offset") if name not in changes]
    if "status" in changes:
        _stamp_completion(item, actor)
        extra += ["done_by", "done_at"]
    return extra


ITEM = editing.Kind(model=ChecklistItem, action="checklist_item", fields=ITEM_FIELDS,
                    capability=CONTRIBUTE, validate=_item_errors, fixed={"done_by", "done_at"})


def _place_due(item: ChecklistItem, offset: int | None) -> None:
    # A date set by hand stays put when go-live moves; an offset follows it.
    item.due_offset = offset
    if offset is not None:
        item.due_date = date_at(item.release.go_live, offset)


def _stamp_completion(item: ChecklistItem, actor: Actor) -> None:
    if item.status in FINISHED_ITEM_STATUSES:
        if item.done_at is None:
            item.done_at = timezone.now()
            item.done_by = actor.user if getattr(actor.user, "pk", None) else None
    else:
        item.done_at = item.done_by = None


def checklist_section_add(*, release: Release, title: str, group: str = "",
                          due_date: date | None = None, due_offset: int | None = None,
                          owner=None, actor: Actor) -> ChecklistSection:
    """Add a checklist section to a release; an offset dates it from go-live."""
    section = ChecklistSection(release=release, title=(title or "").strip(), group=group,
                               due_date=due_date, due_offset=due_offset, owner=owner,
                               order=release.checklist_sections.count())
    _follow_go_live(section, SECTION_DATES)
    return editing.create(SECTION, section, actor=actor)


def _parent_errors(section: ChecklistSection, parent) -> dict:
    if parent is not None and parent.section_id != section.pk:
        return {"parent": "A sub-item must be in the same section as its parent."}
    return {}


def _new_item(section: ChecklistSection, *, text, order: int, due_date=None, owner=None,
              responsible="", status=ItemStatus.TODO) -> ChecklistItem:
    """An unsaved item of a section: without a date of its own it is due with its section."""
    return ChecklistItem(
        release_id=section.release_id, section=section, text=_trimmed(text), owner=owner,
        responsible=_trimmed(responsible or "", 200), order=order, status=status,
        due_date=due_date or section.due_date, due_offset=None if due_date else section.due_offset)


def _trimmed(value, limit: int | None = None):
    # Only text is trimmed: anything else reaches the edit path, which answers "Send text here."
    return value.strip()[:limit] if isinstance(value, str) else value


@transaction.atomic
def checklist_item_add(*, section: ChecklistSection, text: str, parent=None, owner=None,
                       due_date: date | None = None, responsible: str = "",
                       actor: Actor) -> ChecklistItem:
    """Add an item (or a sub-item) to a checklist section."""
    item = _new_item(section, text=text or "", order=section.items.count(), due_date=due_date,
                     owner=owner, responsible=responsible)
    item.parent = parent
    return editing.create(ITEM, item, actor=actor, errors=_parent_errors(section, parent))


def _flat_items(entries: list[dict], path: str = "items", depth: int = 0):
    """Each entry of a tree with its depth and where it is: items.1.children.0."""
    for index, entry in enumerate(entries):
        where = f"{path}.{index}"
        yield depth, where, entry
        yield from _flat_items(entry.get("children") or [], f"{where}.children", depth + 1)


@transaction.atomic
def checklist_items_bulk_add(*, section: ChecklistSection, items: list[dict], parent=None,
                             actor: Actor) -> list[ChecklistItem]:
    """Add a tree of items to a section at once (one audit record for the batch).

    Each entry: text, optional status, owner, responsible, due_date and children. Every entry
    is held to the rules of a single item; a message names the entry and field of each one
    that breaks them (items.1.children.0.text), and then nothing is added. Returns the new
    items in depth-first order of the entries.
    """
    require(actor, CONTRIBUTE)
    start, now = section.items.count(), timezone.now()
    user = actor.user if getattr(actor.user, "pk", None) else None
    built: list[tuple[int, ChecklistItem]] = []
    errors = _parent_errors(section, parent)
    for order, (depth, where, entry) in enumerate(_flat_items(items), start=start):
        item = _new_item(section, text=entry.get("text") or "", order=order,
                         due_date=entry.get("due_date"), owner=entry.get("owner"),
                         responsible=entry.get("responsible"),
                         status=entry.get("status") or ItemStatus.TODO)
        if item.status in FINISHED_ITEM_STATUSES:
            item.done_at, item.done_by = now, user
        errors.update({f"{where}.{name}": message for name, message
                       in editing.new_row_errors(ITEM, item).items()})
        built.append((depth, item))
    if errors:
        raise ValidationFailed(errors)
    _bulk_create_by_depth(built, parent)
    created = [item for _depth, item in built]
    audit_record(actor=actor, action="checklist_item.bulk_add", obj=section,
                 release_id=section.release_id,
                 after={"parent": getattr(parent, "pk", None), "count": len(created),
                        "items": [{"id": i.pk, "text": i.text, "status": i.status,
                                   "parent": i.parent_id} for i in created]})
    return created


def _bulk_create_by_depth(built: list[tuple[int, ChecklistItem]], parent) -> None:
    # One insert per nesting level: a level's parents were inserted (and got their ids) by the
    # insert before it, and bulk_create takes the id of an assigned parent once it has one.
    stack: list[ChecklistItem] = []
    levels: dict[int, list[ChecklistItem]] = {}
    for depth, item in built:
        del stack[depth:]
        item.parent = stack[-1] if stack else parent
        stack.append(item)
        levels.setdefault(depth, []).append(item)
    for depth in sorted(levels):
        ChecklistItem.objects.bulk_create(levels[depth])


# ---- Scope, phases and milestones: one edit path each (tminus.core.editing) --------------------
PHASE_FIELDS = ["name", "description", "start_date", "end_date", "start_offset", "end_offset"]
MILESTONE_FIELDS = ["name", "kind", "date", "date_offset", "responsible"]
SECTION_FIELDS = ["title", "group", "owner", "due_date", "due_offset", "notes"]
PHASE_DATES = (("start_date", "start_offset"), ("end_date", "end_offset"))
MILESTONE_DATES = (("date", "date_offset"),)
SECTION_DATES = (("due_date", "due_offset"),)


def _scope_errors(item: ScopeItem) -> dict:
    errors = {}
    if not (item.title or "").strip():
        errors["title"] = "A scope item needs a title."
    for field, choices in (("kind", ScopeKind), ("status", ScopeStatus)):
        message = choice_error(getattr(item, field), choices, field)
        if message:
            errors[field] = message
    if item.link and not item.link.startswith(("http://", "https://")):
        errors["link"] = "A link must start with http:// or https://."
    return errors


SCOPE = editing.Kind(model=ScopeItem, action="scope_item", fields=SCOPE_FIELDS,
                     capability=CONTRIBUTE, validate=_scope_errors)


@transaction.atomic
def scope_item_add(*, release: Release, title: str, kind: str = ScopeKind.FEATURE,
                   status: str = ScopeStatus.PLANNED, description: str = "", link: str = "",
                   actor: Actor) -> ScopeItem:
    """Add a feature, enhancement, bug fix or known issue to a release's scope."""
    item = ScopeItem(release=release, title=(title or "").strip(), kind=kind, status=status,
                     description=description, link=link, order=release.scope_items.count())
    return editing.create(SCOPE, item, actor=actor)


def scope_item_update(*, item: ScopeItem, revision: int | None, changes: dict,
                      actor: Actor) -> ScopeItem:
    """Edit a scope item; a stale edit gets a conflict."""
    return editing.update(SCOPE, item, revision=revision, changes=changes, actor=actor)


def _dated(release: Release, values: dict, pairs: tuple[tuple[str, str], ...]) -> dict:
    # An offset wins over a date: the date is computed from go-live so that it follows it.
    calendar = None
    for date_field, offset_field in pairs:
        if values.get(offset_field) is not None:
            if is_working_days(values[offset_field]) and calendar is None:
                calendar = calendar_for(release.product_id)
            values[date_field] = date_at(release.go_live, values[offset_field], calendar)
    return values


def _follow_go_live(obj, pairs: tuple[tuple[str, str], ...]) -> list[str]:
    """Set each date that has an offset from go-live; the date fields, for saving."""
    values = _dated(obj.release, {name: getattr(obj, name) for pair in pairs for name in pair},
                    pairs)
    for name, value in values.items():
        setattr(obj, name, value)
    return [date_field for date_field, _ in pairs]


def _phase_errors(phase: Phase) -> dict:
    errors = {}
    if not (phase.name or "").strip():
        errors["name"] = "A phase needs a name."
    # The dates as they will be once the offsets are applied (derive runs after validation).
    dates = _dated(phase.release, {name: getattr(phase, name) for pair in PHASE_DATES
                                   for name in pair}, PHASE_DATES)
    start, end = dates["start_date"], dates["end_date"]
    if start and end and end < start:
        errors["end_date"] = "A phase cannot end before it starts."
    return errors


def _milestone_errors(milestone: Milestone) -> dict:
    errors = {}
    if not (milestone.name or "").strip():
        errors["name"] = "A milestone needs a name."
    message = choice_error(milestone.kind, MilestoneKind, "kind")
    if message:
        errors["kind"] = message
    return errors


PHASE = editing.Kind(model=Phase, action="phase", fields=PHASE_FIELDS, capability=MANAGE,
                     validate=_phase_errors,
                     derive=lambda phase, changes: _follow_go_live(phase, PHASE_DATES))
MILESTONE = editing.Kind(model=Milestone, action="milestone", fields=MILESTONE_FIELDS,
                         capability=MANAGE, validate=_milestone_errors,
                         derive=lambda row, changes: _follow_go_live(row, MILESTONE_DATES))


def phase_dates_set(*, phase: Phase, start_date: date | None, end_date: date | None,
                    revision: int | None, actor: Actor) -> Phase:
    """Set a phase's dates by hand; they no longer follow go-live."""
    return phase_update(phase=phase, revision=revision, actor=actor, changes={
        "start_date": start_date, "end_date": end_date, "start_offset": None,
        "end_offset": None})


def milestone_date_set(*, milestone: Milestone, on: date | None, revision: int | None,
                       actor: Actor) -> Milestone:
    """Set a milestone's date by hand; it no longer follows go-live."""
    return milestone_update(milestone=milestone, revision=revision, actor=actor,
                            changes={"date": on, "date_offset": None})


@transaction.atomic
def phase_add(*, release: Release, name: str, start_date: date | None = None,
              end_date: date | None = None, start_offset: int | None = None,
              end_offset: int | None = None, description: str = "", actor: Actor) -> Phase:
    """Add a phase with dates set by hand or offsets from go-live."""
    phase = Phase(release=release, name=(name or "").strip()[:200], description=description,
                  start_date=start_date, end_date=end_date, start_offset=start_offset,
                  end_offset=end_offset, order=release.phases.count())
    _follow_go_live(phase, PHASE_DATES)
    return editing.create(PHASE, phase, actor=actor)


def phase_update(*, phase: Phase, changes: dict, revision: int | None, actor: Actor) -> Phase:
    """Change a phase's name, description, dates or offsets; a stale edit gets a conflict."""
    return editing.update(PHASE, phase, revision=revision, changes=changes, actor=actor)


@transaction.atomic
def milestone_add(*, release: Release, name: str, kind: str = "other", on: date | None = None,
                  offset: int | None = None, responsible: str = "", actor: Actor) -> Milestone:
    """Add a milestone on a date set by hand or at an offset from go-live."""
    milestone = Milestone(release=release, name=(name or "").strip()[:200], kind=kind,
                          responsible=(responsible or "").strip()[:200], date=on,
                          date_offset=offset, order=release.milestones.count())
    _follow_go_live(milestone, MILESTONE_DATES)
    return editing.create(MILESTONE, milestone, actor=actor)


def milestone_update(*, milestone: Milestone, changes: dict, revision: int | None,
                     actor: Actor) -> Milestone:
    """Change a milestone's name, kind, date or offset; a stale edit gets a conflict."""
    return editing.update(MILESTONE, milestone, revision=revision, changes=changes, actor=actor)


def checklist_section_update(*, section: ChecklistSection, changes: dict,
                             revision: int | None, actor: Actor) -> ChecklistSection:
    """Change a checklist section's title, group, owner, due date or offset, or notes."""
    return editing.update(SECTION, section, revision=revision, changes=changes, actor=actor)


def _section_errors(section: ChecklistSection) -> dict:
    if not (section.title or "").strip():
        return {"title": "A checklist section needs a title."}
    return {}


def _section_derive(section: ChecklistSection, changes: dict) -> list[str]:
    if "due_date" in changes and "due_offset" not in changes:
        section.due_offset = None  # a date set by hand stays put when go-live moves
    return ["due_offset", *_follow_go_live(section, SECTION_DATES)]


SECTION = editing.Kind(model=ChecklistSection, action="checklist_section",
                       fields=SECTION_FIELDS, capability=CONTRIBUTE, validate=_section_errors,
                       derive=_section_derive)


_REMOVABLE = {
    Phase: (MANAGE, PHASE_FIELDS),
    Milestone: (MANAGE, MILESTONE_FIELDS),
    ChecklistSection: (CONTRIBUTE, SECTION_FIELDS),
    ChecklistItem: (CONTRIBUTE, ITEM_FIELDS),
    ScopeItem: (CONTRIBUTE, SCOPE_FIELDS),
}


@transaction.atomic
def release_part_remove(*, part, actor: Actor, reason: str = "") -> None:
    """Remove a phase, milestone, checklist section or item, or scope item from its release."""
    capability, fields = _REMOVABLE[type(part)]
    require(actor, capability)
    before = {**snapshot(part, fields), **_restorable(part)}
    event = audit_record(actor=actor, action=f"{part._meta.model_name}.remove", obj=part,
                         release_id=part.release_id, before=before, reason=reason)
    part.delete()
    return event


@transaction.atomic
def checklist_items_bulk_update(*, items: list[tuple[ChecklistItem, int | None]], changes: dict,
                                actor: Actor) -> list[ChecklistItem]:
    """Make the same change to several items, each given with the revision the person saw:
    all of them change, or (one stale, 409; one without a revision, 428) none."""
    require(actor, CONTRIBUTE)
    return [checklist_item_update(item=item, revision=revision, changes=changes, actor=actor)
            for item, revision in items]


@transaction.atomic
def checklist_items_bulk_remove(*, items: list[tuple[ChecklistItem, int | None]],
                                actor: Actor) -> list:
    """Remove several items, each given with the revision the person saw, all or none; a
    sub-item goes with its parent. Returns the removals' audit events (for undo)."""
    require(actor, CONTRIBUTE)
    for item, revision in items:
        _claim(item, revision)
    chosen = {item.pk for item, _revision in items}
    # Every item's parent, read once for all the chosen items' releases (not per ancestor).
    parents = dict(ChecklistItem.objects.filter(
        release_id__in={item.release_id for item, _revision in items}
    ).values_list("pk", "parent_id"))
    outer = [item for item, _revision in items
             if not _has_chosen_ancestor(item, chosen, parents)]
    return [release_part_remove(part=item, actor=actor) for item in outer]


def _has_chosen_ancestor(item: ChecklistItem, chosen: set[int], parents: dict) -> bool:
    parent_id = item.parent_id
    while parent_id:
        if parent_id in chosen:
            return True
        parent_id = parents.get(parent_id)
    return False


# ---- Working calendars --------------------------------------------------------------------------
@transaction.atomic
def working_week_set(*, product: Product, days: str, actor: Actor) -> WorkingWeek:
    """Set the weekdays a product's team works ("12345" is Monday to Friday)."""
    require(actor, MANAGE)
    digits = "".join(sorted({d for d in days or "" if d in "1234567"}))
    if not digits or len(digits) != len((days or "").replace(",", "").replace(" ", "")):
        raise ValidationFailed({"days": "Name the working weekdays as digits 1 (Monday) to 7 "
                                        "(Sunday), at least one, such as 12345."})
    week, _created = WorkingWeek.objects.get_or_create(product=product)
    before = {"days": week.days}
    week.days = digits
    week.save(update_fields=["days"])
    audit_record(actor=actor, action="product.working_week_set", obj=product,
                 before=before, after={"days": digits})
    _working_days_follow(product)
    return week


@transaction.atomic
def holiday_add(*, product: Product, on: date, name: str = "", actor: Actor) -> Holiday:
    require(actor, MANAGE)
    if on is None:
        raise ValidationFailed({"date": "A holiday needs a date."})
    if Holiday.objects.filter(product=product, date=on).exists():
        raise ValidationFailed({"date": f"{on} is already a holiday of {product.name}."})
    holiday = Holiday.objects.create(product=product, date=on, name=(name or "").strip()[:200])
    audit_record(actor=actor, action="product.holiday_add", obj=product,
                 after={"date": on, "name": holiday.name})
    _working_days_follow(product)
    return holiday


@transaction.atomic
def holiday_remove(*, holiday: Holiday, actor: Actor) -> None:
    require(actor, MANAGE)
    product = holiday.product
    audit_record(actor=actor, action="product.holiday_remove", obj=product,
                 before={"date": holiday.date, "name": holiday.name})
    holiday.delete()
    _working_days_follow(product)


@transaction.atomic
def holidays_import_ics(*, product: Product, data: bytes, actor: Actor) -> int:
    """Add every day of every event in an ICS calendar as a holiday; returns days added.

    Days already known are kept as they are, so importing the same calendar twice adds nothing.
    """
    require(actor, MANAGE)
    try:
        days = ics_days(data)
    except ValueError as error:
        raise ValidationFailed({"file": str(error)}) from None
    known = set(Holiday.objects.filter(product=product).values_list("date", flat=True))
    new = [Holiday(product=product, date=day, name=name[:200])
           for day, name in sorted(days.items()) if day not in known]
    Holiday.objects.bulk_create(new)
    audit_record(actor=actor, action="product.holidays_import", obj=product,
                 after={"added": len(new), "days": [h.date for h in new][:50]})
    _working_days_follow(product)
    return len(new)


def _working_days_follow(product: Product) -> None:
    # Dates counted in working days land elsewhere once the calendar changes.
    for release in Release.objects.filter(product=product, go_live__isnull=False):
        recompute_offset_dates(release)


# ---- Saved portfolio filters --------------------------------------------------------------------
SAVED_FILTER_KEYS = ("product", "status", "owner")


@transaction.atomic
def saved_filter_save(*, name: str, query: dict, actor: Actor) -> SavedFilter:
    """Keep the portfolio filter `query` under `name` for the actor; the same name replaces it."""
    require(actor, VIEW)
    name = (name or "").strip()
    errors = {}
    if not name:
        errors["name"] = "Give the filter a name."
    elif len(name) > 100:
        errors["name"] = "Keep the name under 100 characters."
    kept = {key: str(query[key]) for key in SAVED_FILTER_KEYS if query.get(key)}
    if not kept:
        errors["query"] = "Choose a product, status or owner to filter by first."
    if errors:
        raise ValidationFailed(errors)
    saved, _created = SavedFilter.objects.update_or_create(
        owner=actor.user, name=name, defaults={"query": urlencode(kept)})
    audit_record(actor=actor, action="saved_filter.save", obj=saved,
                 after={"name": name, "query": saved.query})
    return saved


@transaction.atomic
def saved_filter_delete(*, saved: SavedFilter, actor: Actor) -> None:
    require(actor, VIEW)
    if saved.owner_id != getattr(actor.user, "pk", None):
        raise NotAllowed("Only its owner can delete a saved filter.")
    audit_record(actor=actor, action="saved_filter.delete", obj=saved,
                 before={"name": saved.name, "query": saved.query})
    saved.delete()
def _row(obj) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


def _restorable(part) -> dict:
    """Everything a removal takes with it, so that undoing it puts back the very same rows."""
    if isinstance(part, ChecklistSection):
        rows = [_row(item) for item in part.items.order_by("parent_id", "order", "id")]
        return {"row": _row(part), "items": rows}
    if isinstance(part, ChecklistItem):
        rows = [_row(item) for item in _descendants(part).order_by("parent_id", "order", "id")]
        return {"row": _row(part), "items": rows}
    return {"row": _row(part)}


_RESTORABLE = {f"{model._meta.model_name}.remove": model for model in _REMOVABLE}


@transaction.atomic
def release_part_restore(*, event_id: int, actor: Actor):
    """Undo a removal: put the part (a section with its items, an item with its sub-items) back
    as it was, with the same ids, so links and history keep pointing at it."""
    from tminus.audit.models import AuditEvent

    event = AuditEvent.objects.filter(pk=event_id, action__in=list(_RESTORABLE)).first()
    if event is None or not (event.before or {}).get("row"):
        raise ValidationFailed({"event": "There is no removal to undo."})
    model = _RESTORABLE[event.action]
    require(actor, _REMOVABLE[model][0])
    row = event.before["row"]
    if model.objects.filter(pk=row["id"]).exists():
        raise ValidationFailed({"event": "That removal was undone already."})
    if not Release.objects.filter(pk=row["release_id"]).exists():
        raise ValidationFailed({"event": "Its release no longer exists."})
    part = _recreate(model, row)
    _recreate_items(event.before.get("items") or [])
    audit_record(actor=actor, action=f"{model._meta.model_name}.restore", obj=part,
                 release_id=part.release_id, after=snapshot(part, _REMOVABLE[model][1]))
    return part


def _recreate(model, row: dict):
    values = {name: value for name, value in row.items() if name != "id"}
    for field in model._meta.concrete_fields:
        if field.attname in values and values[field.attname] is not None:
            values[field.attname] = field.to_python(values[field.attname])
    return model.objects.create(pk=row["id"], **values)


def _recreate_items(rows: list[dict]) -> None:
    # Parents first: rows were recorded by parent, and a sub-item's parent is among them.
    pending = list(rows)
    while pending:
        ready = [r for r in pending if r["parent_id"] is None or ChecklistItem.objects.filter(
            pk=r["parent_id"]).exists()]
        if not ready:
            break
        for row in ready:
            _recreate(ChecklistItem, row)
        pending = [r for r in pending if r not in ready]


# ---- Reordering, nesting and undoing removals (the plan editor on the release page) ------------
_MOVABLE = {Phase: MANAGE, Milestone: MANAGE, ChecklistSection: CONTRIBUTE,
            ChecklistItem: CONTRIBUTE, ScopeItem: CONTRIBUTE}
MOVES = ("up", "down", "indent", "outdent")


def _siblings(part) -> list:
    rows = type(part).objects.filter(release_id=part.release_id)
    if isinstance(part, ChecklistItem):
        rows = rows.filter(section_id=part.section_id, parent_id=part.parent_id)
    return list(rows.order_by("order", "id"))


def _renumber(rows: list) -> None:
    for order, row in enumerate(rows):
        row.order = order
    if rows:
        type(rows[0]).objects.bulk_update(rows, ["order"])


def _claim(part, revision: int | None) -> None:
    """Refuse a move made from a page that showed an older revision of the part (409), or that
    names none (428); the moved part takes the next revision, as after any edit of it."""
    fields = _REMOVABLE[type(part)][1]
    save_versioned(part, revision, [], snapshot=lambda row: editing.state(row, fields))


def _placement(part) -> dict:
    place = {"order": part.order}
    if isinstance(part, ChecklistItem):
        place.update(section=part.section_id, parent=part.parent_id)
    return place


@transaction.atomic
def release_part_move(*, part, direction: str, revision: int | None, actor: Actor):
    """Move a part of a plan one place up or down among its siblings; indent an item under the
    item above it, or outdent it to follow its parent. `revision` is the part's as the person
    saw it (None only for internal callers)."""
    require(actor, _MOVABLE[type(part)])
    if direction not in MOVES:
        raise ValidationFailed({"direction": f"Move up, down, indent or outdent, not "
                                             f"{direction!r}."})
    if direction in ("indent", "outdent") and not isinstance(part, ChecklistItem):
        raise ValidationFailed({"direction": "Only checklist items nest."})
    _claim(part, revision)
    before = _placement(part)
    siblings = _siblings(part)
    index = next(i for i, row in enumerate(siblings) if row.pk == part.pk)
    if direction in ("up", "down"):
        other = index - 1 if direction == "up" else index + 1
        if 0 <= other < len(siblings):
            siblings[index], siblings[other] = siblings[other], siblings[index]
            _renumber(siblings)
    elif direction == "indent" and index > 0:
        _nest_under(part, siblings[index - 1])
    elif direction == "outdent" and part.parent_id:
        _follow(part, ChecklistItem.objects.get(pk=part.parent_id))
    part.refresh_from_db(fields=["order", *(["parent", "section"]
                                             if isinstance(part, ChecklistItem) else [])])
    audit_record(actor=actor, action=f"{part._meta.model_name}.move", obj=part,
                 release_id=part.release_id, before=before, after=_placement(part))
    return part


@transaction.atomic
def release_part_reorder(*, part, revision: int | None, actor: Actor, direction: str = "",
                         before_id: int | None = None, section_id: int | None = None):
    """One entry for every reorder a page or the API asks for: a drop before the part with id
    `before_id` (0: last place), for an item into the section `section_id`; else a move one
    step in `direction`. `revision` is the part's as the person saw it."""
    if isinstance(part, ChecklistItem) and section_id:
        section = ChecklistSection.objects.filter(pk=section_id,
                                                  release_id=part.release_id).first()
        if section is None:
            raise ValidationFailed({"section": "Drop the item into a section of its release."})
        return checklist_item_place(item=part, section=section, before=_drop_before(
            part, before_id), revision=revision, actor=actor)
    if before_id is not None:
        return release_part_place(part=part, before=_drop_before(part, before_id),
                                  revision=revision, actor=actor)
    return release_part_move(part=part, direction=direction, revision=revision, actor=actor)


def _drop_before(part, before_id: int | None):
    if not before_id:
        return None
    before = type(part).objects.filter(pk=before_id, release_id=part.release_id).first()
    if before is None:
        raise ValidationFailed({"before": f"Drop beside another {part._meta.verbose_name} of "
                                          f"the same release."})
    return before


@transaction.atomic
def release_part_place(*, part, before, revision: int | None, actor: Actor):
    """Put a section, phase or milestone just before another of its kind in the same release
    (a drop by drag), or last when `before` is None."""
    require(actor, _MOVABLE[type(part)])
    if isinstance(part, ChecklistItem):
        raise ValidationFailed({"before": "Place checklist items with checklist_item_place."})
    if before is not None and (type(before) is not type(part)
                               or before.release_id != part.release_id or before.pk == part.pk):
        raise ValidationFailed({"before": f"Drop the {part._meta.verbose_name} beside another "
                                          f"{part._meta.verbose_name} of the same release."})
    _claim(part, revision)
    old = _placement(part)
    siblings = [row for row in _siblings(part) if row.pk != part.pk]
    at = next((i for i, row in enumerate(siblings) if before and row.pk == before.pk),
              len(siblings))
    _renumber([*siblings[:at], part, *siblings[at:]])
    audit_record(actor=actor, action=f"{part._meta.model_name}.move", obj=part,
                 release_id=part.release_id, before=old, after=_placement(part))
    return part


def _nest_under(item: ChecklistItem, parent: ChecklistItem) -> None:
    children = list(parent.children.order_by("order", "id"))
    item.parent, item.order = parent, len(children)
    item.save(update_fields=["parent", "order"])


def _follow(item: ChecklistItem, parent: ChecklistItem) -> None:
    """Put the item right after its former parent, among the parent's siblings."""
    item.parent_id = parent.parent_id
    siblings = [row for row in _siblings(parent) if row.pk != item.pk]
    at = next(i for i, row in enumerate(siblings) if row.pk == parent.pk) + 1
    item.save(update_fields=["parent"])
    _renumber([*siblings[:at], item, *siblings[at:]])


@transaction.atomic
def checklist_item_place(*, item: ChecklistItem, section: ChecklistSection,
                         before: ChecklistItem | None, revision: int | None,
                         actor: Actor) -> ChecklistItem:
    """Put an item (with its sub-items) just before another item, or last in a section."""
    require(actor, CONTRIBUTE)
    if section.release_id != item.release_id:
        raise ValidationFailed({"section": "An item stays in its own release."})
    if before is not None and (before.section_id != section.pk or before.pk == item.pk
                               or _is_within(before, item)):
        raise ValidationFailed({"before": "Drop the item beside another item of the section, "
                                          "not inside itself."})
    _claim(item, revision)
    old = _placement(item)
    moved_section = item.section_id != section.pk
    item.section, item.parent_id = section, before.parent_id if before else None
    item.save(update_fields=["section", "parent"])
    if moved_section:
        _descendants(item).update(section=section)
    siblings = [row for row in _siblings(item) if row.pk != item.pk]
    at = next((i for i, row in enumerate(siblings) if before and row.pk == before.pk),
              len(siblings))
    _renumber([*siblings[:at], item, *siblings[at:]])
    audit_record(actor=actor, action="checklistitem.move", obj=item, release_id=item.release_id,
                 before=old, after=_placement(item))
    return item


def _is_within(item: ChecklistItem, ancestor: ChecklistItem) -> bool:
    parent_id = item.parent_id
    while parent_id:
        if parent_id == ancestor.pk:
            return True
        parent_id = ChecklistItem.objects.filter(pk=parent_id).values_list(
            "parent_id", flat=True).first()
    return False


def _descendants(item: ChecklistItem):
    ids, frontier = [], [item.pk]
    while frontier:
        frontier = list(ChecklistItem.objects.filter(parent_id__in=frontier)
                        .values_list("pk", flat=True))
        ids += frontier
    return ChecklistItem.objects.filter(pk__in=ids)
