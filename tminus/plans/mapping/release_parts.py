"""Entries, records and rendering for the release's own parts (used by the release mapper)."""

import re
from datetime import date

from tminus.core.offsets import format_offset, parse_offset
from tminus.plans import dates, markdown

DONE_STATUSES = ("done", "skipped")
META_KEYS = {"responsible": "owner", "owner": "owner", "responsible person": "owner",
             "due date": "due_date", "due": "due_date", "status": "status"}
STATUS_EMOJI = {"✅": "done", "✔": "done", "☑": "done", "🔄": "in_progress", "🚧": "in_progress",
                "⏳": "in_progress", "📋": "planned", "🗓": "planned", "⬜": "planned"}
EMOJI_FOR_STATUS = {"done": "✅", "in_progress": "🔄", "planned": "📋"}


def norm_key(key: str) -> str:
    """A field's key for comparison: no markup, single spaces, lower case."""
    return " ".join(markdown.strip_markup(key).split()).lower()


# ---- entries made while reading ---------------------------------------------------------------

def phase_entry(reader, name: str, span) -> dict:
    return reader.add_entry("phases", {
        "uid": reader.new_uid("p"), "name": name, "start": span.start.as_text() or None,
        "end": span.end.as_text() or None, "description": "",
    })


def phase_value(entry: dict) -> dict:
    return {"name": entry["name"], "start": entry["start"], "end": entry["end"]}


def describe_phase(entry: dict) -> str:
    start, end = entry["start"], entry["end"]
    when = start if start == end else f"{start} to {end}"
    return f"phase '{entry['name']}' {when}"


def item_entry(reader, element) -> dict:
    """A box: its text, state, who does it ('(PM)', '@maria', 'Rachael adds …', or the
    ' — @maria, due 2026-03-01' an export wrote) and by when ('Oct 2: …', 'by Nov 1',
    '< Oct 17', '(Planned for release on 1/13/26)')."""
    from tminus.plans import semantics
    from tminus.plans.mapping.stakeholders import person_entry

    text, written = semantics.suffix_of(element.text or "")
    text = text or "(empty item)"
    if len(text) > 500:
        reader.warn(element, "A checklist item is longer than 500 characters; it was shortened "
                    "(the full text stays in the document).")
    status = written.get("status") or ("done" if element.checked else "todo")
    if element.checked and status != "skipped":
        status = "done"
    days = [f for f in reader.find_dates(text, element) if f.span.start.day]
    # "**2025/05/06** - Lighthouse team plans …": who does it comes after the date.
    task = re.sub(r"^[\s*_\-\u2013\u2014:]+", "", text[days[0].end:]) \
        if days and days[0].start <= 4 else text
    owner = written.get("owner")
    if owner is None and (found := semantics.owner_in(task)) is not None:
        owner = found.name
    due = written.get("due")
    if due is None and days:
        due = days[-1].span.end.day.isoformat()
    if owner and semantics.is_person_name(owner):
        person_entry(reader, owner, responsible_for=semantics.as_written(text)[:200])
    return {"uid": reader.new_uid("i"), "text": text[:500], "status": status,
            "owner": owner if "owner" in written else None,
            "responsible": (owner or "")[:200], "due_date": due, "children": []}


def item_value(item: dict) -> dict:
    return {"text": item["text"], "status": item["status"], "owner": item.get("owner"),
            "due": item.get("due_date")}


def release_value(reader, element, target: str, field):
    raw = field.value
    if target == "go_live":
        when = None if markdown.is_placeholder(raw) else reader.when(raw, element)
        if when is not None and when.offset is not None:
            return None  # "T-0" in a template: the release's own go-live fills it in
        if when is None:
            reader.notes["go_live_warned"] = True
            reader.warn(element, f"The release date '{raw}' cannot be read as a date; "
                        "it is kept as text and the release has no go-live date yet.")
            return None
        return when.day.isoformat()
    if markdown.is_placeholder(raw):
        return None
    if target == "release_type":
        word = raw.strip().lower()
        for kind in ("major", "minor", "patch", "hotfix"):
            if word.startswith(kind):
                return kind
        reader.warn(element, f"Unknown release type '{raw}'; use Major, Minor, Patch or Hotfix. "
                    "It is kept as text.")
        return None
    limits = {"name": 200, "version": 50, "owner": 150}
    return raw.strip()[:limits[target]] if target in limits else raw.strip()


def section_meta_values(reader, element, entry, found, keys) -> dict:
    values = {"owner": None, "due_date": None}
    for value, key in zip(found, keys, strict=True):
        if key == "owner" and not markdown.is_placeholder(value.value):
            values["owner"] = value.value.strip()[:150]
            entry["owner"] = values["owner"]
        elif key == "due_date" and not markdown.is_placeholder(value.value):
            when = reader.when(value.value, element)
            if when is None:
                reader.warn(element, f"The due date '{value.value}' of '{entry['title']}' cannot "
                            "be read; it is kept as text.")
            elif when.offset is not None:
                entry["due"] = when.as_text()
            else:
                values["due_date"] = entry["due_date"] = when.day.isoformat()
    return values


def scope_entry(reader, element, kind: str) -> tuple[dict, dict]:
    text = element.text if element.kind == "item" else element.lines[0].strip()
    style = {"emoji": None, "box": element.box or None}
    status = "planned"
    if element.checked:
        status = "done"
    for emoji, meaning in STATUS_EMOJI.items():
        if text.startswith(emoji):
            status, style["emoji"] = meaning, emoji
            text = text[len(emoji):].lstrip("\ufe0f").strip()
            break
    title, description = text, ""
    found = markdown.fields_in(text)
    if found and len(found[0].key) <= 80 and found[0].value:
        title, description = markdown.strip_markup(found[0].key), found[0].value
    if len(title) > 300:
        title, description = title[:297] + "...", text
    entry = reader.add_entry("scope", {"uid": reader.new_uid("c"), "kind": kind, "title": title,
                                       "description": description, "status": status,
                                       "link": ""})
    return entry, style


def scope_value(entry: dict) -> dict:
    return {key: entry[key] for key in ("kind", "title", "description", "status")}


def progress_word(items: list[dict]) -> str:
    flat = list(_flatten(items))
    done = sum(1 for item in flat if item["status"] in DONE_STATUSES)
    if flat and done == len(flat):
        return "Complete"
    return "In Progress" if done else "Not Started"


def _flatten(items: list[dict]):
    for item in items:
        yield item
        yield from _flatten(item.get("children", []))


# ---- applying entries to a release -------------------------------------------------------------

def apply_release_parts(ctx) -> None:
    from tminus.plans.mapping import release_apply

    release_apply.apply_phases(ctx)
    release_apply.apply_milestones(ctx)
    release_apply.apply_checklists(ctx)
    release_apply.apply_scope(ctx)


# ---- live data and rendering -------------------------------------------------------------------

def load_live(release) -> dict:
    from tminus.releases.models import ChecklistItem, ChecklistSection

    items = list(ChecklistItem.objects.filter(release=release).select_related("owner"))
    by_section: dict[int, list] = {}
    for item in items:
        by_section.setdefault(item.section_id, []).append(item)
    return {
        "release": release,
        "phases": {p.pk: p for p in release.phases.all()},
        "milestones": {m.pk: m for m in release.milestones.all()},
        "sections": {s.pk: s for s in ChecklistSection.objects.filter(release=release)
                     .select_related("owner")},
        "items": {item.pk: item for item in items},
        "items_by_section": by_section,
        "scope": {s.pk: s for s in release.scope_items.all()},
    }


def when_text(day: date | None, offset: int | None) -> str | None:
    if offset is not None:
        return format_offset(offset)
    return day.isoformat() if day else None


def live_phase_value(phase) -> dict:
    return {"name": phase.name, "start": when_text(phase.start_date, phase.start_offset),
            "end": when_text(phase.end_date, phase.end_offset)}


def _username(user) -> str | None:
    return user.username if user else None


def live_item_value(item, section) -> dict:
    own_due = item.due_date if item.due_date != section.due_date else None
    return {"text": item.text, "status": item.status, "owner": _username(item.owner),
            "due": own_due.isoformat() if own_due else None}


def render_block(block: dict, live: dict) -> list[str]:
    return _RENDERERS[block["kind"]](block, live)


def _render_title(block, live) -> list[str]:
    name = live["release"].name
    if name == block["value"]:
        return [block["line"]]
    hashes = block["line"].lstrip().split(" ", 1)[0]
    return [f"{hashes} {name}"]


def release_field_value(release, field: str):
    """A release field as a block compares it: dates as ISO text, the owner as a username."""
    current = getattr(release, field)
    if field == "go_live":
        return current.isoformat() if current else None
    if field == "owner":
        return _username(current)
    return current


def _render_release_field(block, live) -> list[str]:
    release = live["release"]
    field = block["field"]
    current = release_field_value(release, field)
    if current == block["value"]:
        return [block["line"]]
    found = markdown.fields_in(block["line"])
    if field == "go_live" and current:
        text = dates.format_like(release.go_live, found[0].value)
    elif field == "release_type":
        text = release.get_release_type_display()
    else:
        text = current or "TBD"
    return [markdown.replace_values(block["line"], {0: text}, found)]


def _span_text(phase, sample: str) -> str:
    if phase.start_date or phase.end_date:
        return dates.format_span(phase.start_date, phase.end_date, sample)
    start, end = format_offset(phase.start_offset), format_offset(phase.end_offset)
    return start if start == end else f"{start}\u2013{end}"


def _render_phase(block, live) -> list[str]:
    phase = live["phases"].get(block.get("id"))
    if phase is None:
        return []
    if live_phase_value(phase) == block["value"]:
        return [block["line"]]
    line = block["line"]
    if line.lstrip().startswith("#"):
        hashes = line.lstrip().split(" ", 1)[0]
        colon = ":" if line.rstrip().endswith(":") else ""
        return [f"{hashes} {phase.name} ({_span_text(phase, block['sample'])}){colon}"]
    found = markdown.fields_in(line)
    return [markdown.replace_values(line, {0: _span_text(phase, block["sample"])}, found)]


def _render_phase_description(block, live) -> list[str]:
    phase = live["phases"].get(block.get("id"))
    if phase is None:
        return []
    if phase.description == block.get("full", block["value"]):
        return list(block["lines"])
    if not block.get("first", True):
        return []
    return [line for line in phase.description.splitlines()]


def _render_milestone(block, live) -> list[str]:
    milestone = live["milestones"].get(block.get("id"))
    if milestone is None:
        return []
    current = {"name": milestone.name, "date": when_text(milestone.date, milestone.date_offset)}
    if current == block["value"]:
        return [block["line"]]
    found = markdown.fields_in(block["line"])
    if milestone.date:
        text = dates.format_like(milestone.date, block["sample"])
    else:
        text = format_offset(milestone.date_offset) or "TBD"
    return [markdown.replace_values(block["line"], {0: text}, found)]


def _render_section_heading(block, live) -> list[str]:
    section = live["sections"].get(block.get("id"))
    if section is None:
        return []
    if section.title == block["value"]:
        return [block["line"]]
    hashes = block["line"].lstrip().split(" ", 1)[0]
    return [f"{hashes} {section.title}"]


def _item_line(item, section, depth: int) -> str:
    box = "[x]" if item.status in DONE_STATUSES else "[ ]"
    extras = []
    if item.owner:
        extras.append(f"@{item.owner.username}")
    if item.due_date and item.due_date != section.due_date:
        extras.append(f"due {item.due_date.isoformat()}")
    if item.status in ("in_progress", "blocked", "skipped"):
        extras.append(item.get_status_display().lower())
    suffix = f" — {', '.join(extras)}" if extras else ""
    return f"{'  ' * depth}- {box} {item.text}{suffix}"


def _render_items(block, live) -> list[str]:
    section = live["sections"].get(block.get("id"))
    if section is None:
        return []
    lines = []
    for entry in block["items"]:
        item = live["items"].get(entry.get("id"))
        if item is None:
            continue
        if live_item_value(item, section) == entry["value"]:
            lines.append(entry["line"])
        else:
            lines.append(_item_line(item, section, entry["depth"]))
    if block.get("tail"):
        lines += _new_items(block, section, live)
    return lines


def _new_items(block, section, live) -> list[str]:
    placed = set(live.setdefault("placed_items", set()))
    items = live["items_by_section"].get(section.pk, [])
    depth_of: dict[int, int] = {}
    lines = []
    for item in items:
        depth_of[item.pk] = depth_of.get(item.parent_id, -1) + 1 if item.parent_id else 0
        if item.pk not in placed:
            lines.append(_item_line(item, section, depth_of[item.pk]))
    return lines


def _render_section_meta(block, live) -> list[str]:
    section = live["sections"].get(block.get("id"))
    if section is None:
        return [block["line"]]
    imported = block["value"]
    items = live["items_by_section"].get(section.pk, [])
    progress = _live_progress(items)
    owner = section.owner.get_username() if section.owner else None
    due = section.due_date.isoformat() if section.due_date and section.due_offset is None else None
    changed = {"owner": imported.get("owner_user") != owner,
               "due_date": imported["due_date"] != due,
               "status": imported.get("progress") != progress}
    if not any(changed.values()):
        return [block["line"]]
    found = markdown.fields_in(block["line"])
    replacements = {}
    for index, value in enumerate(found):
        key = META_KEYS.get(norm_key(value.key))
        if key == "owner" and changed["owner"]:
            replacements[index] = owner or "—"
        elif key == "due_date" and changed["due_date"]:
            replacements[index] = due or "—"
        elif key == "status" and changed["status"]:
            replacements[index] = _status_text(value.value, progress)
    return [markdown.replace_values(block["line"], replacements, found)]


def _live_progress(items) -> str:
    done = sum(1 for item in items if item.status in DONE_STATUSES)
    if items and done == len(items):
        return "Complete"
    return "In Progress" if done else "Not Started"


def _status_text(value: str, progress: str) -> str:
    choices = markdown.choices_in(value)
    if not choices:
        return progress
    labels = [label for label, _ticked in choices]
    if labels == [""]:
        return "☒" if progress == "Complete" else "☐"
    if progress not in labels:
        return value
    return " ".join(f"{label} {'☒' if label == progress else '☐'}" for label in labels)


def _render_scope(block, live) -> list[str]:
    item = live["scope"].get(block.get("id"))
    if item is None:
        return []
    current = {"kind": item.kind, "title": item.title, "description": item.description,
               "status": item.status}
    if current == block["value"]:
        return [block["line"]]
    line = block["line"]
    prefix = line[:len(line) - len(line.lstrip())]
    stripped = line.lstrip()
    marker = stripped.split(" ", 1)[0] + " " if stripped[:1] in "-*+" else ""
    style = block.get("style") or {}
    text = item.title + (f": {item.description}" if item.description else "")
    if style.get("box"):
        text = f"{'[x]' if item.status == 'done' else '[ ]'} {text}"
    elif style.get("emoji"):
        text = f"{EMOJI_FOR_STATUS.get(item.status, style['emoji'])} {text}"
    return [f"{prefix}{marker}{text}"]


_RENDERERS = {
    "title": _render_title,
    "release_field": _render_release_field,
    "phase": _render_phase,
    "phase_description": _render_phase_description,
    "milestone": _render_milestone,
    "section_heading": _render_section_heading,
    "items": _render_items,
    "section_meta": _render_section_meta,
    "scope": _render_scope,
}


def offset_or_date(text: str | None) -> tuple[date | None, int | None]:
    """A spec date ('2025-01-12' or 'T-28d') as (date, offset)."""
    if not text:
        return None, None
    if text.strip().upper().startswith("T"):
        return None, parse_offset(text)
    return date.fromisoformat(text), None


# ---- parts that no document block shows: a release never imported, or added since ----------

SCOPE_TITLES = [("feature", "Features/Enhancements"), ("enhancement", "Enhancements"),
                ("bug_fix", "Bug Fixes"), ("known_issue", "Known Issues")]


def appendix(live: dict, placed: dict, *, standalone: bool) -> list[str]:
    """Markdown for the release's parts that no block placed (all of them when standalone)."""
    level = "##" if standalone else "###"
    lines = _overview(live["release"]) if standalone else []
    lines += _scope_lines(live, placed, level, standalone)
    phases = [p for pk, p in live["phases"].items() if pk not in placed.get("phase", set())]
    if phases:
        lines += ["", f"{level} Release Phases"]
        for phase in phases:
            lines += ["", f"{level}# {phase.name} ({_span_text(phase, '')}):"]
            lines += phase.description.splitlines()
    milestones = [m for pk, m in live["milestones"].items()
                  if pk not in placed.get("milestone", set())]
    if milestones:
        lines += ["", f"{level} Milestones"]
        lines += [f"- **{m.name}**: {when_text(m.date, m.date_offset) or 'TBD'}"
                  for m in milestones]
    lines += _checklist_lines(live, placed, level)
    return lines


def _overview(release) -> list[str]:
    lines = [f"# {release.name}", "", "## Release Overview",
             f"Release Name/ID: {release.name}",
             f"Version Number: {release.version or 'TBD'}",
             f"Release Type: {release.get_release_type_display()}",
             f"Release Date: {release.go_live.isoformat() if release.go_live else 'TBD'}"]
    if release.goal:
        lines.append(f"Release Goal: {' '.join(release.goal.split())}")
    if release.owner:
        lines.append(f"Release Owner: {release.owner.username}")
    return lines


def _scope_lines(live, placed, level, standalone) -> list[str]:
    scope = [s for pk, s in live["scope"].items() if pk not in placed.get("scope", set())]
    if not scope:
        return []
    lines = ["", f"{level} Scope of the Release"]
    for kind, title in SCOPE_TITLES:
        items = [s for s in scope if s.kind == kind]
        if items:
            lines += ["", f"{level}# {title}:"]
            for item in items:
                text = item.title + (f": {item.description}" if item.description else "")
                lines.append(f"- {EMOJI_FOR_STATUS[item.status]} {text}")
    return lines


def _checklist_lines(live, placed, level) -> list[str]:
    sections = [s for pk, s in live["sections"].items()
                if pk not in placed.get("section_heading", set())
                and pk not in placed.get("items", set())]
    unplaced_items = {}
    for pk, item in live["items"].items():
        if pk not in placed.get("item", set()) and item.section_id in placed.get("items", set()):
            unplaced_items.setdefault(item.section_id, []).append(item)
    if not sections:
        return []
    lines = ["", f"{level} Checklists"]
    group = None
    for section in sections:
        if section.group and section.group != group:
            lines += ["", f"{level}# {section.group}"]
        group = section.group
        heading = f"{level}{'##' if section.group else '#'} {section.title}"
        lines += ["", heading]
        items = live["items_by_section"].get(section.pk, [])
        depth_of: dict[int, int] = {}
        for item in items:
            depth_of[item.pk] = (depth_of.get(item.parent_id, -1) + 1) if item.parent_id else 0
            lines.append(_item_line(item, section, depth_of[item.pk]))
        lines += ["", _meta_line(section, items)]
    return lines


def _meta_line(section, items) -> str:
    owner = section.owner.username if section.owner else "—"
    if section.due_offset is not None:
        due = format_offset(section.due_offset)
    else:
        due = section.due_date.isoformat() if section.due_date else "—"
    progress = _live_progress(items)
    boxes = " ".join(f"{word} {'☒' if word == progress else '☐'}"
                     for word in ("Complete", "In Progress", "Not Started"))
    return f"**Responsible**: {owner} **Due Date**: {due} **Status**: {boxes}"
