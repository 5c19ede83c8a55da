"""Exports of a release plan: Markdown in the document's shape, and the plan as code (JSON/YAML).

A release imported from a document is rendered block by block in the document's shape; what was
added in T-Minus since (a phase, a checklist section) follows under "Added in T-Minus". A release
that was never imported is rendered in the shape of the feature release plan, which imports back
into the same data.
"""

import json

import yaml
from django.core.serializers.json import DjangoJSONEncoder

from tminus.plans import document
from tminus.plans.mapping import all_mappers
from tminus.plans.mapping.release_parts import when_text
from tminus.plans.reading import SPEC_FORMAT

FORMATS = {"md": "text/markdown", "json": "application/json", "yaml": "application/yaml",
           "ics": "text/calendar", "html": "text/html"}


def export_markdown(release) -> str:
    """The plan as Markdown with live data."""
    live = document.live_data(release)
    blocks = document.stored_blocks(release)
    standalone = blocks is None
    lines = [] if standalone else document.render_blocks(blocks, live)
    placed = _placed(blocks or [])
    extra: list[str] = []
    # The release's own part opens a standalone document (its title and overview).
    for mapper in sorted(all_mappers(), key=lambda m: m.key != "release"):
        appendix = getattr(mapper, "appendix", None)
        if appendix is not None:
            try:
                extra += appendix(live, placed, standalone=standalone)
            except KeyError:  # the area's data could not be loaded: nothing to add
                continue
    if extra and not standalone:
        lines += ["", "## Added in T-Minus", *extra]
    else:
        lines += extra
    return "\n".join(lines).rstrip("\n") + "\n"


def _placed(blocks: list[dict]) -> dict[str, set]:
    placed: dict[str, set] = {}
    for block in blocks:
        if block.get("id") is not None:
            placed.setdefault(block["kind"], set()).add(block["id"])
        if block["kind"] == "items":
            for entry in block["items"]:
                placed.setdefault("item", set()).add(entry.get("id"))
    return placed


def _username(user) -> str | None:
    return user.username if user else None


def plan_as_code(release) -> dict:
    """The plan as data: what `tminus import` reads back to create or update the release."""
    live = document.live_data(release)
    live["checkboxes"] = document.checkboxes(document.stored_blocks(release))
    spec = {
        "format": SPEC_FORMAT,
        "release": {
            "key": release.key, "product": release.product.key, "name": release.name,
            "version": release.version, "release_type": release.release_type,
            "status": release.status,
            "go_live": release.go_live.isoformat() if release.go_live else None,
            "planning_start": (release.planning_start.isoformat()
                               if release.planning_start else None),
            "owner": _username(release.owner), "goal": release.goal,
        },
        "phases": [
            {"name": p.name, "start": when_text(p.start_date, p.start_offset),
             "end": when_text(p.end_date, p.end_offset), "description": p.description}
            for p in live["phases"].values()
        ],
        "milestones": [
            {"name": m.name, "kind": m.kind, "date": when_text(m.date, m.date_offset),
             **({"responsible": m.responsible} if m.responsible else {})}
            for m in live["milestones"].values()
        ],
        "checklists": [_section_code(section, live) for section in live["sections"].values()],
        "scope": [
            {"kind": s.kind, "title": s.title, "description": s.description,
             "status": s.status, "link": s.link}
            for s in live["scope"].values()
        ],
    }
    for mapper in all_mappers():
        if mapper.key != "release":
            try:
                entries = mapper.export(release, live)
            except KeyError:
                continue
            if entries:
                spec[mapper.key] = entries
    return spec


def _section_code(section, live) -> dict:
    items = live["items_by_section"].get(section.pk, [])
    children: dict = {}
    for item in items:
        children.setdefault(item.parent_id, []).append(item)
    return {
        "title": section.title, "group": section.group,
        "due": when_text(None, section.due_offset),
        "due_date": (section.due_date.isoformat()
                     if section.due_date and section.due_offset is None else None),
        "owner": _username(section.owner),
        "items": _items_code(children, None, section),
    }


def _items_code(children: dict, parent_id, section) -> list[dict]:
    found = []
    for item in children.get(parent_id, []):
        entry = {"text": item.text, "status": item.status}
        if item.owner:
            entry["owner"] = item.owner.username
        if item.responsible:
            entry["responsible"] = item.responsible
        if item.due_date and item.due_date != section.due_date:
            entry["due_date"] = item.due_date.isoformat()
        kids = _items_code(children, item.pk, section)
        if kids:
            entry["children"] = kids
        found.append(entry)
    return found


def export_json(release) -> str:
    return json.dumps(plan_as_code(release), cls=DjangoJSONEncoder, indent=2,
                      ensure_ascii=False) + "\n"


def export_yaml(release) -> str:
    return yaml.safe_dump(plan_as_code(release), sort_keys=False, allow_unicode=True,
                          width=100)


def export(release, fmt: str) -> str:
    """The release in one of FORMATS."""
    if fmt == "md":
        return export_markdown(release)
    if fmt == "json":
        return export_json(release)
    if fmt == "yaml":
        return export_yaml(release)
    if fmt == "ics":
        from tminus.plans.calendar import release_calendar

        return release_calendar(release)
    if fmt == "html":
        from tminus.plans.printable import printable_html

        return printable_html(release)
    raise ValueError(f"Unknown export format {fmt!r}; use one of {', '.join(FORMATS)}.")
