"""Applying the release's own parts of a spec through the release services.

Parts are matched to what the release already has by name (phases, milestones), by title and
group (checklist sections), by text under the same parent (checklist items) and by kind and title
(scope), so applying the same plan twice changes nothing. When the apply is an update of an
existing release, parts the plan no longer has are removed.
"""

from datetime import date

from tminus.plans.mapping.release_parts import offset_or_date
from tminus.releases import services


def _take(existing: list, matches):
    for index, record in enumerate(existing):
        if matches(record):
            return existing.pop(index)
    return None


def _same(a: str, b: str) -> bool:
    return (a or "").strip().casefold() == (b or "").strip().casefold()


def _dated_changes(record, values: dict, pairs) -> dict:
    """The changes a record needs; with an offset the date follows it and is not compared."""
    changes = {}
    for name, value in values.items():
        if any(name == date_field and values.get(offset_field) is not None
               for date_field, offset_field in pairs):
            continue
        if getattr(record, name) != value:
            changes[name] = value
    return changes


def _prune(ctx, leftovers: list, what: str) -> None:
    if not ctx.prune:
        return
    for record in leftovers:
        services.release_part_remove(part=record, actor=ctx.actor,
                                     reason="Not in the imported plan.")
        ctx.change(f"removed {what} '{record}'")


# ---- phases and milestones ---------------------------------------------------------------------

PHASE_DATES = (("start_date", "start_offset"), ("end_date", "end_offset"))


def apply_phases(ctx) -> None:
    existing = list(ctx.release.phases.all())
    for entry in ctx.spec.get("phases", []):
        start_date, start_offset = offset_or_date(entry.get("start"))
        end_date, end_offset = offset_or_date(entry.get("end"))
        values = {"name": entry["name"], "description": entry.get("description", ""),
                  "start_date": start_date, "end_date": end_date,
                  "start_offset": start_offset, "end_offset": end_offset}
        phase = _take(existing, lambda p, name=entry["name"]: _same(p.name, name))
        if phase is None:
            phase = services.phase_add(release=ctx.release, actor=ctx.actor, **values)
            ctx.change(f"added phase '{phase.name}'")
        elif changes := _dated_changes(phase, values, PHASE_DATES):
            phase = services.phase_update(phase=phase, changes=changes, revision=None,
                                          actor=ctx.actor)
            ctx.change(f"updated phase '{phase.name}'")
        ctx.records[entry.get("uid") or f"phase:{phase.pk}"] = phase
    _prune(ctx, existing, "phase")


def apply_milestones(ctx) -> None:
    existing = list(ctx.release.milestones.all())
    for entry in ctx.spec.get("milestones", []):
        on, offset = offset_or_date(entry.get("date"))
        values = {"name": entry["name"], "kind": entry.get("kind") or "other", "date": on,
                  "date_offset": offset, "responsible": (entry.get("responsible") or "")[:200]}
        # Two milestones may share a name (two target dates under one heading): the one on the
        # same date first.
        milestone = _take(existing, lambda m, v=values: _same(m.name, v["name"])
                          and (m.date, m.date_offset) == (v["date"], v["date_offset"])) or _take(
            existing, lambda m, name=entry["name"]: _same(m.name, name))
        if milestone is None:
            milestone = services.milestone_add(release=ctx.release, name=values["name"],
                                               kind=values["kind"], on=on, offset=offset,
                                               responsible=values["responsible"],
                                               actor=ctx.actor)
            ctx.change(f"added milestone '{milestone.name}'")
        elif changes := _dated_changes(milestone, values, (("date", "date_offset"),)):
            milestone = services.milestone_update(milestone=milestone, changes=changes,
                                                  revision=None, actor=ctx.actor)
            ctx.change(f"updated milestone '{milestone.name}'")
        ctx.records[entry.get("uid") or f"milestone:{milestone.pk}"] = milestone
    _prune(ctx, existing, "milestone")


# ---- checklists ----------------------------------------------------------------------------------

def apply_checklists(ctx) -> None:
    existing = list(ctx.release.checklist_sections.all())
    items_by_section: dict[int, list] = {}
    for item in ctx.release.checklist_items.all():
        items_by_section.setdefault(item.section_id, []).append(item)
    for entry in ctx.spec.get("checklists", []):
        section = _take(existing, lambda s, e=entry: _same(s.title, e["title"])
                        and _same(s.group, e.get("group", "")))
        section = _section_apply(ctx, section, entry)
        ctx.records[entry.get("uid") or f"section:{section.pk}"] = section
        children: dict = {}
        for item in items_by_section.get(section.pk, []):
            children.setdefault(item.parent_id, []).append(item)
        _items_apply(ctx, section, entry.get("items", []), parent=None, children=children)
    _prune(ctx, existing, "checklist section")


def _section_apply(ctx, section, entry):
    due_date, due_offset = offset_or_date(entry.get("due"))
    if entry.get("due_date"):
        due_date, due_offset = date.fromisoformat(entry["due_date"]), None
    owner = ctx.user(entry.get("owner"))
    if section is None:
        section = services.checklist_section_add(
            release=ctx.release, title=entry["title"], group=entry.get("group", ""),
            due_date=due_date, due_offset=due_offset, owner=owner, actor=ctx.actor)
        ctx.change(f"added checklist section '{section.title}'")
        return section
    values = {"owner": owner, "due_date": due_date, "due_offset": due_offset}
    changes = _dated_changes(section, values, (("due_date", "due_offset"),))
    if changes:
        changes["due_offset"] = due_offset
        section = services.checklist_section_update(section=section, changes=changes,
                                                    revision=None, actor=ctx.actor)
        ctx.change(f"updated checklist section '{section.title}'")
    return section


def _items_apply(ctx, section, entries: list, *, parent, children: dict) -> None:
    existing = list(children.get(parent.pk if parent else None, []))
    new = []
    for entry in entries:
        item = _take(existing, lambda i, text=entry["text"]: _same(i.text, text))
        if item is None:
            new.append(entry)
            continue
        item = _item_update(ctx, item, entry)
        ctx.records[entry.get("uid") or f"item:{item.pk}"] = item
        _items_apply(ctx, section, entry.get("children", []), parent=item, children=children)
    if new:
        _items_add(ctx, section, new, parent=parent)
    _prune(ctx, existing, "checklist item")


def _item_owner(ctx, entry: dict):
    if entry.get("owner"):
        return ctx.user(entry["owner"])
    return ctx.user(entry.get("responsible"), quiet=True)


def _item_update(ctx, item, entry: dict):
    owner = _item_owner(ctx, entry)
    due = date.fromisoformat(entry["due_date"]) if entry.get("due_date") else None
    changes = {}
    if item.status != (entry.get("status") or "todo"):
        changes["status"] = entry.get("status") or "todo"
    if item.owner_id != (owner.pk if owner else None):
        changes["owner"] = owner
    if due and item.due_date != due:
        changes["due_date"] = due
    if item.responsible != (entry.get("responsible") or "")[:200]:
        changes["responsible"] = (entry.get("responsible") or "")[:200]
    if changes:
        item = services.checklist_item_update(item=item, revision=None, changes=changes,
                                              actor=ctx.actor)
        ctx.change(f"updated checklist item '{item.text}'")
    return item


def _items_add(ctx, section, entries: list, *, parent) -> None:
    """New items (with their sub-items) go in one batch: a plan can have hundreds."""
    flat: list[dict] = []
    created = services.checklist_items_bulk_add(
        section=section, items=[_new_item(ctx, entry, flat) for entry in entries],
        parent=parent, actor=ctx.actor)
    for entry, item in zip(flat, created, strict=True):
        ctx.change(f"added checklist item '{item.text}'")
        ctx.records[entry.get("uid") or f"item:{item.pk}"] = item


def _new_item(ctx, entry: dict, flat: list) -> dict:
    flat.append(entry)  # depth-first, the order the service returns the new items in
    due = date.fromisoformat(entry["due_date"]) if entry.get("due_date") else None
    return {"text": entry["text"], "status": entry.get("status") or "todo",
            "owner": _item_owner(ctx, entry), "due_date": due,
            "responsible": entry.get("responsible") or "",
            "children": [_new_item(ctx, child, flat) for child in entry.get("children", [])]}


# ---- scope -----------------------------------------------------------------------------------

def apply_scope(ctx) -> None:
    existing = list(ctx.release.scope_items.all())
    for entry in ctx.spec.get("scope", []):
        kind = entry.get("kind") or "feature"
        item = _take(existing, lambda s, e=entry, k=kind: s.kind == k
                     and _same(s.title, e["title"]))
        values = {"kind": kind, "title": entry["title"],
                  "description": entry.get("description", ""),
                  "status": entry.get("status") or "planned", "link": entry.get("link", "")}
        if item is None:
            item = services.scope_item_add(release=ctx.release, actor=ctx.actor, **values)
            ctx.change(f"added {kind.replace('_', ' ')} '{item.title}'")
        elif changes := {k: v for k, v in values.items() if getattr(item, k) != v}:
            item = services.scope_item_update(item=item, revision=None, changes=changes,
                                              actor=ctx.actor)
            ctx.change(f"updated scope item '{item.title}'")
        ctx.records[entry.get("uid") or f"scope:{item.pk}"] = item
    _prune(ctx, existing, "scope item")
