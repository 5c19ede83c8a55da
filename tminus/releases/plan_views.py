"""The plan editor on the release page: add, remove (and undo), reorder, nest and bulk-edit.

Each answers an htmx request with the block of the page it changed (the timeline, the scope or
the checklists) rendered again; without JavaScript the forms post and the page reloads.
"""

from functools import cache

from django.contrib import messages
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import get_template
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from tminus.accounts.permissions import can
from tminus.accounts.roles import CONTRIBUTE
from tminus.core.actors import Actor
from tminus.core.concurrency import REVISION_MISSING
from tminus.core.errors import ServiceError, ValidationFailed
from tminus.core.fragments import render_page
from tminus.core.inline import find_user
from tminus.core.web import posted_revision, refusal_text, role_required
from tminus.releases import forms, selectors, services
from tminus.releases.calendars import calendar_for
from tminus.releases.checklist_html import render_checklists
from tminus.releases.choices import ItemStatus
from tminus.releases.lookups import release_or_404
from tminus.releases.models import ChecklistItem, ChecklistSection, Milestone, Phase, ScopeItem
from tminus.releases.timeline import timeline_marks, timeline_svg

MODELS = {"phase": Phase, "milestone": Milestone, "scope": ScopeItem,
          "section": ChecklistSection, "item": ChecklistItem}
BLOCKS = {"phase": "timeline", "milestone": "timeline", "scope": "scope",
          "section": "checklists", "item": "checklists"}
TEMPLATES = {"timeline": "releases/plan/timeline.html", "scope": "releases/plan/scope.html",
             "checklists": "releases/plan/checklists.html"}


def timeline_context(request, release) -> dict:
    phases, milestones = list(release.phases.all()), list(release.milestones.all())
    _flag_phases_and_milestones(_calendar(release), phases, milestones)
    return {"phases": phases, "milestones": milestones,
            "timeline": timeline_svg(phases, milestones + timeline_marks(release),
                                     selectors.today(), go_live=release.go_live)}


def _calendar(release):
    # The timeline and the checklists both flag days off: read the calendar once a request.
    if "_calendar" not in release.__dict__:
        release._calendar = calendar_for(release.product_id)
    return release._calendar


def _flag_phases_and_milestones(calendar, phases, milestones) -> None:
    """Mark each date that lands on a day the product's team does not work."""
    for phase in phases:
        phase.start_nonworking = calendar.why_not_working(phase.start_date)
        phase.end_nonworking = calendar.why_not_working(phase.end_date)
    for milestone in milestones:
        milestone.nonworking = calendar.why_not_working(milestone.date)


def _flag_items(calendar, sections) -> None:
    why_not = {}  # a thousand items fall on a few dozen days: ask about each day once
    for view in sections:
        for item, _depth in view.items:
            day = item.due_date
            if day not in why_not:
                why_not[day] = calendar.why_not_working(day)
            item.nonworking = why_not[day]


def scope_context(request, release) -> dict:
    return {"scope": list(release.scope_items.all()), "scope_form_fields": _scope_form_fields()}


@cache
def _scope_form_fields() -> str:
    # The empty form never changes, and rendering its widgets costs more than the scope table.
    field = get_template("core/field.html")
    return mark_safe("".join(field.render({"field": bound}) for bound in forms.ScopeForm()))


def checklists_context(request, release) -> dict:
    editable = can(request.user, CONTRIBUTE)
    sections = selectors.checklist_page(release)
    _flag_items(_calendar(release), sections)
    return {
        **_progress_of(sections),
        "checklists_html": render_checklists(
            sections, release_key=release.key,
            csrf_token=get_token(request), editable=editable),
        "people_names": selectors.people_names() if editable else [],
        "item_statuses": ItemStatus.choices,
    }


def item_progress(release) -> dict:
    """The release's checklist counts the overview shows: total, done and overdue."""
    counted = selectors.with_progress([release])[0]
    return {"item_total": counted.item_total, "item_done": counted.item_done,
            "item_overdue": counted.item_overdue}


def _progress_of(sections) -> dict:
    """`item_progress` added up from the checklists already read, without counting again."""
    return {"item_total": sum(view.total for view in sections),
            "item_done": sum(view.done for view in sections),
            "item_overdue": sum(view.overdue for view in sections)}


CONTEXTS = {"timeline": timeline_context, "scope": scope_context,
            "checklists": checklists_context}


def _block(request, release, block: str, *, undo=None, error: str = "", status: int = 200):
    if not request.htmx:
        if error:
            messages.error(request, error)
        return redirect("release-detail", key=release.key)
    context = {"release": release, "undo": undo, "block_error": error,
               **CONTEXTS[block](request, release)}
    if block == "checklists":
        # The overview's "done" count sits outside the block: it is swapped in beside it (the
        # block's context holds the counts).
        context["progress_oob"] = True
    response = render_page(request, TEMPLATES[block], context, status=status)
    response["HX-Trigger"] = "tminus:changed"
    return response


def _message(error: ServiceError) -> str:
    if isinstance(error, ValidationFailed):
        return " ".join(m for found in error.errors.values() for m in found)
    return refusal_text(error)


def _part(release, kind: str, pk: int):
    model = MODELS.get(kind)
    if model is None:
        from django.http import Http404

        raise Http404("Nothing of that kind in a plan.")
    return get_object_or_404(model, pk=pk, release=release)


def _add(release, kind: str, data, actor: Actor):
    name = (data.get("name") or data.get("title") or data.get("text") or "").strip()
    if kind == "phase":
        return services.phase_add(release=release, name=name, actor=actor)
    if kind == "milestone":
        return services.milestone_add(release=release, name=name, actor=actor)
    if kind == "scope":
        return services.scope_item_add(release=release, title=name, actor=actor)
    if kind == "section":
        return services.checklist_section_add(release=release, title=name, actor=actor)
    section = get_object_or_404(ChecklistSection, pk=data.get("section") or 0, release=release)
    return services.checklist_item_add(section=section, text=name, actor=actor)


@require_POST
@role_required(CONTRIBUTE)
def plan_part_add(request, key, kind):
    release = release_or_404(key)
    if kind not in MODELS:
        return _block(request, release, "checklists", error="Nothing of that kind.", status=422)
    try:
        _add(release, kind, request.POST, Actor.web(request))
    except ServiceError as error:
        return _block(request, release, BLOCKS[kind], error=_message(error), status=error.status)
    return _block(request, release, BLOCKS[kind])


@require_POST
@role_required(CONTRIBUTE)
def plan_part_remove(request, key, kind, pk):
    release = release_or_404(key)
    part = _part(release, kind, pk)
    try:
        event = services.release_part_remove(part=part, actor=Actor.web(request))
    except ServiceError as error:
        return _block(request, release, BLOCKS[kind], error=_message(error), status=error.status)
    undo = {"text": f"Removed “{part}”.", "events": str(event.pk)}
    return _block(request, release, BLOCKS[kind], undo=undo)


@require_POST
@role_required(CONTRIBUTE)
def plan_undo(request, key, block):
    release = release_or_404(key)
    if block not in TEMPLATES:
        block = "checklists"
    ids = [int(pk) for pk in request.POST.get("events", "").split(",") if pk.strip().isdigit()]
    try:
        for event_id in reversed(ids):  # the last removed first, so parents come back first
            services.release_part_restore(event_id=event_id, actor=Actor.web(request))
    except ServiceError as error:
        return _block(request, release, block, error=_message(error), status=error.status)
    return _block(request, release, block)


@require_POST
@role_required(CONTRIBUTE)
def plan_part_move(request, key, kind, pk):
    """Up, down, indent or outdent (buttons, Alt+arrow keys), or a drop before another item."""
    release = release_or_404(key)
    part = _part(release, kind, pk)
    try:
        services.release_part_reorder(
            part=part, direction=request.POST.get("direction", ""),
            before_id=_number(request.POST, "before"), section_id=_number(request.POST, "section"),
            revision=posted_revision(request), actor=Actor.web(request))
    except ServiceError as error:
        return _block(request, release, BLOCKS[kind], error=_message(error), status=error.status)
    return _block(request, release, BLOCKS[kind])


def _number(data, name: str) -> int | None:
    """A posted id: None when not sent, 0 when sent empty (a drop on no part: last place)."""
    if name not in data:
        return None
    value = data[name]
    if value and not value.isdigit():
        raise ValidationFailed({name: "Drop beside another part of the plan."})
    return int(value or 0)


@require_POST
@role_required(CONTRIBUTE)
def plan_items_bulk(request, key):
    """Assign, set the status of, or remove the checked items at once.

    Each checked box sends `ID:REVISION`, the item as the page showed it: when one of them was
    changed since (409) or a box names no revision (428), nothing is changed."""
    release = release_or_404(key)
    seen = _chosen(request.POST.getlist("items"))
    items = [(item, seen[item.pk]) for item in
             ChecklistItem.objects.filter(release=release, pk__in=seen)
             .select_related("release").order_by("parent_id", "order")]
    action = request.POST.get("action", "")
    actor = Actor.web(request)
    if not items:
        return _block(request, release, "checklists", error="Select one or more items first.",
                      status=422)
    try:
        undo = _bulk(items, action, request.POST, actor)
    except ServiceError as error:
        return _block(request, release, "checklists", error=_message(error),
                      status=error.status)
    return _block(request, release, "checklists", undo=undo)


def _chosen(values: list[str]) -> dict[int, int]:
    """{item id: the revision the page showed} from the checked boxes' `ID:REVISION`."""
    seen = {}
    for value in values:
        pk, _, revision = value.partition(":")
        if pk.isdigit():
            seen[int(pk)] = int(revision) if revision.isdigit() else REVISION_MISSING
    return seen


def _bulk(items, action: str, data, actor: Actor):
    if action == "assign":
        try:
            owner = find_user(data.get("owner", ""))
        except ValueError as error:
            raise ValidationFailed({"owner": str(error)}) from None
        changes = {"owner": owner, "responsible": ""}
    elif action == "status":
        changes = {"status": data.get("status", "")}
    elif action == "tick":
        changes = {"status": ItemStatus.DONE}
    elif action == "remove":
        events = services.checklist_items_bulk_remove(items=items, actor=actor)
        return {"text": f"Removed {len(events)} item{'s' if len(events) != 1 else ''}.",
                "events": ",".join(str(event.pk) for event in events)}
    else:
        raise ValidationFailed({"action": "Assign, set a status, tick or remove."})
    services.checklist_items_bulk_update(items=items, changes=changes, actor=actor)
    return None
