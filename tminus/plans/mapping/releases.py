"""The release itself: overview fields, dated phases, milestones, checklists and scope.

This mapper is always ready (releases is the core area). It reads what every plan has and
renders it back in the document's own words: a line whose data did not change is given back as
written; a line whose data changed is rewritten in the same style with the live values.
"""

import re

from tminus.plans import dates, markdown
from tminus.plans.mapping import Claim, Mapper, register_mapper
from tminus.plans.mapping import release_parts as parts
from tminus.plans.mapping.release_parts import META_KEYS, norm_key

NAME_KEYS = {"release name/id", "release name / id", "release name", "release id",
             "release name/version"}
VERSION_KEYS = {"version number", "version", "release version"}
TYPE_KEYS = {"release type", "type of release"}
GO_LIVE_KEYS = {"release date", "go-live date", "go live date", "golive date", "launch date",
                "target date", "target release date", "planned release date"}
GOAL_KEYS = {"release goal", "goal", "project goal", "release theme"}
OWNER_KEYS = {"release owner", "release manager", "owner"}
START_KEYS = {"phase start date", "planning start", "planning start date", "project start date",
              "start date"}
RELEASE_KEYS = {"name": NAME_KEYS, "version": VERSION_KEYS, "release_type": TYPE_KEYS,
                "go_live": GO_LIVE_KEYS, "goal": GOAL_KEYS, "owner": OWNER_KEYS}

MILESTONE_KINDS = [
    (re.compile(r"freeze", re.I), "feature_freeze"),
    (re.compile(r"code complete", re.I), "code_complete"),
    (re.compile(r"test\w* complet", re.I), "testing_complete"),
    (re.compile(r"go\s*/\s*no[- ]?go", re.I), "go_no_go"),
    (re.compile(r"go[- ]?live|launch", re.I), "go_live"),
    (re.compile(r"start", re.I), "planning_start"),
    (re.compile(r"review|retro", re.I), "review"),
]
MILESTONE_WORDS = re.compile(
    r"date|freeze|complet|go[- ]?live|launch|deadline|cut-?off|start|end|review|sign-?off|"
    r"release|deploy|milestone|kick-?off|demo|go\s*/\s*no[- ]?go|meeting", re.I)
MILESTONE_SECTIONS = re.compile(r"milestone|calendar|timeline|schedule|key dates", re.I)
MAX_ITEM_DEPTH = 20
CONTAINER_TITLES = {"checklists", "checklist", "added in t-minus"}
GENERIC_DATE_KEYS = re.compile(r"^(desired |planned |target |estimated |actual )?(date|dates|"
                               r"date range|timeline|when|schedule|test duration)$", re.I)

SCOPE_HEADINGS = [
    (re.compile(r"^(new )?features?( ?(/|and|&) ?enhancements?)?( included)?$", re.I), "feature"),
    (re.compile(r"^(planned|upcoming|key) features?$", re.I), "feature"),
    (re.compile(r"^enhancements?$", re.I), "enhancement"),
    (re.compile(r"^(bug ?fix(es)?|fixes|fixed bugs)$", re.I), "bug_fix"),
    (re.compile(r"^known (issues|limitations|bugs)$", re.I), "known_issue"),
]

PHASE_HEADING = re.compile(r"^(?P<name>.+?)[ \t]*\((?P<when>[^()]*)\)[ \t]*:?$")
PHASE_HEADING_PLAIN = re.compile(
    r"^(?P<name>.+?)[ \t]*(?::|[\u2013\u2014]|\s-\s)[ \t]*(?P<when>.+?)[ \t]*$")

OFFSET_PATTERNS = [
    (re.compile(r"\bT[ \t]*([+-])[ \t]*(\d{1,3})[ \t]*([dw]?)\b", re.I), None),
    (re.compile(r"(\d{1,3})[ \t]*(day|week|month)s?[ \t]+before[ \t]+go[- ]?live", re.I), -1),
    (re.compile(r"(\d{1,3})[ \t]*(day|week|month)s?[ \t]+after[ \t]+go[- ]?live", re.I), 1),
]
RANGE_AFTER = re.compile(r"^(day|week|month)[ \t]+(\d{1,3})(?:[ \t]*[-\u2013][ \t]*(\d{1,3}))?\b",
                         re.I)
UNIT_DAYS = {"day": 1, "week": 7, "month": 30, "d": 1, "w": 7, "": 1}


def offset_in(title: str) -> int | None:
    """Days from go-live a heading names: 'T-28d', '4 Weeks Before Go-Live', 'Go-Live Day',
    'Week 2-4', 'Day 1-7'; None when it names none."""
    text = markdown.strip_markup(title)
    for pattern, sign in OFFSET_PATTERNS:
        if match := pattern.search(text):
            if sign is None:
                days = int(match[2]) * UNIT_DAYS[match[3].lower()]
                return -days if match[1] == "-" else days
            return sign * int(match[1]) * UNIT_DAYS[match[2].lower()]
    if re.match(r"^go[- ]?live day\b", text, re.I):
        return 0
    if match := RANGE_AFTER.match(text):
        return int(match[3] or match[2]) * UNIT_DAYS[match[1].lower()]
    return None


GENERIC_SECTIONS = re.compile(r"^(?:planning|plan|the plan|rollout planning|details|overview|"
                              r"schedule|timeline|dates|when)$", re.I)
GO_LIVE_SECTION = re.compile(r"go[- ]?live|launch|release day|cut-?over", re.I)


def _section_name(section) -> str:
    """The heading a date belongs to: 'Phase I: Testing' rather than its 'Planning:'."""
    node = section
    while node is not None and node.level and GENERIC_SECTIONS.match(
            markdown.strip_markup(node.title)):
        node = node.parent
    return markdown.strip_markup(node.title) if node is not None and node.level else ""


def _go_live_section(section) -> bool:
    """A date of a 'Go Live!' section (or its 'Planning:') is the go-live."""
    node = section
    while node is not None and node.level and GENERIC_SECTIONS.match(
            markdown.strip_markup(node.title)):
        node = node.parent
    return node is not None and bool(node.level) and bool(
        GO_LIVE_SECTION.search(markdown.strip_markup(node.title)))


def scope_kind(section) -> str | None:
    title = markdown.strip_markup(section.title) if section.level else ""
    for pattern, kind in SCOPE_HEADINGS:
        if pattern.match(title):
            return kind
    return None


class ReleaseMapper(Mapper):
    key = "release"
    label = "Release plan (overview, phases, milestones, checklists, scope)"
    order = 1000  # last: other areas claim their tables and lists first
    block_kinds = ("title", "release_field", "phase", "phase_description", "milestone",
                   "section_heading", "items", "section_meta", "scope")

    # ---- reading -----------------------------------------------------------------------------
    def prepare(self, reader) -> None:
        headings = [s for s in reader.root.walk() if s.heading is not None]
        top = [s for s in headings if s.level == 1] or headings[:1]
        reader.notes["title_section"] = top[0] if top else None
        reader.notes["title"] = markdown.strip_markup(top[0].title) if top else ""
        reader.notes["used_keys"] = set()
        reader.notes["sections"] = {}  # id(Section) -> checklist entry
        has_name = self._has_key(reader, NAME_KEYS)
        reader.notes["name_from_title"] = not has_name

    def _fields(self, reader):
        for section in reader.root.walk():
            for element in section.elements:
                if element.kind in ("text", "item") and not element.is_checkbox:
                    yield section, element, markdown.fields_in(element.lines[0])

    def _has_key(self, reader, keys) -> bool:
        return any(norm_key(v.key) in keys for _s, _e, found in self._fields(reader)
                   for v in found)

    def claim_heading(self, reader, section) -> list[dict] | None:
        element = section.heading
        if section is reader.notes.get("title_section") and reader.notes["name_from_title"]:
            name = (reader.notes.get("front_matter_title")
                    or markdown.strip_markup(section.title))[:200]
            if name:
                reader.spec["release"]["name"] = name
                reader.became(element, f"release name '{name}'", kind="release")
                return [{"kind": "title", "line": element.lines[0], "value": name}]
        phase = self._phase_heading(reader, section)
        if phase is not None:
            return [phase]
        if self._has_checkboxes(section) and scope_kind(section) is None:
            entry = self._section_entry(reader, section)
            reader.became(element, f"checklist section '{entry['title']}'", kind="checklist")
            return [{"kind": "section_heading", "uid": entry["uid"], "line": element.lines[0],
                     "value": entry["title"]}]
        return None

    @staticmethod
    def _has_checkboxes(section) -> bool:
        return any(e.is_checkbox for e in section.elements)

    def _phase_heading(self, reader, section) -> dict | None:
        title = section.title
        match = PHASE_HEADING.match(title) or PHASE_HEADING_PLAIN.match(title)
        if not match:
            return None
        when_text = match["when"]
        span = reader.span(when_text, section.heading)
        if span is None:
            if dates.looks_like_date(when_text):
                reader.warn(section.heading, f"Could not read the dates '{when_text}' of "
                            f"'{markdown.strip_markup(title)}'; the heading is kept as text.")
            return None
        name = markdown.strip_markup(match["name"])[:200]
        entry = parts.phase_entry(reader, name, span)
        section.phase_uid = entry["uid"]
        reader.became(section.heading, parts.describe_phase(entry), kind="phase")
        return {"kind": "phase", "uid": entry["uid"], "line": section.heading.lines[0],
                "value": parts.phase_value(entry), "sample": when_text}

    def _section_entry(self, reader, section) -> dict:
        entries = reader.notes["sections"]
        if id(section) in entries:
            return entries[id(section)]
        title_section = reader.notes.get("title_section")
        title = markdown.strip_markup(section.title) if section.level else ""
        title = (title or reader.notes.get("title") or "Checklist")[:300]
        parent = section.parent
        group = ""
        if (parent is not None and parent.level and parent is not title_section
                and norm_key(parent.title) not in CONTAINER_TITLES):
            group = markdown.strip_markup(parent.title)[:200]
        due = None
        node = section
        while node is not None and node.level and due is None:
            due = offset_in(node.title)
            node = node.parent
        entry = reader.add_entry("checklists", {
            "uid": reader.new_uid("s"), "title": title, "group": group,
            "due": dates.When(offset=due).as_text() if due is not None else None,
            "due_date": None, "owner": None, "items": [],
        })
        entries[id(section)] = entry
        return entry

    def claim(self, reader, section, index: int) -> Claim | None:
        element = section.elements[index]
        if element.kind not in ("text", "item"):
            return None
        kind = scope_kind(section)
        if kind is not None:
            return self._scope(reader, section, index, kind)
        if element.is_checkbox:
            return self._items(reader, section, index)
        found = markdown.fields_in(element.lines[0])
        if found:
            claim = (self._section_meta(reader, section, element, found)
                     or self._release_field(reader, section, element, found)
                     or self._dated_field(reader, section, element, found))
            if claim is not None:
                return claim
        if getattr(section, "phase_uid", None):
            return self._phase_description(reader, section, index)
        return None

    # ---- checklists --------------------------------------------------------------------------
    def _items(self, reader, section, index: int) -> Claim:
        """One box at a time (another area may take the next one: a KPI, a message), nested
        under the boxes above it by indentation."""
        entry = self._section_entry(reader, section)
        element = section.elements[index]
        stacks = reader.notes.setdefault("item_stacks", {})
        last, stack = stacks.get(id(section), (None, []))
        if last is None or any(e.kind != "blank" for e in section.elements[last + 1:index]):
            stack = []  # not right after the previous box: a new list
        while stack and stack[-1][0] >= element.indent:
            stack.pop()
        if len(stack) >= MAX_ITEM_DEPTH:  # a sub-item of the deepest level stays at it
            stack.pop()
            if not reader.notes.get("depth_warned"):
                reader.notes["depth_warned"] = True
                reader.warn(element, f"Checklist items nested deeper than {MAX_ITEM_DEPTH} "
                            f"levels were kept at level {MAX_ITEM_DEPTH}.")
        item = parts.item_entry(reader, element)
        siblings = stack[-1][1]["children"] if stack else entry["items"]
        siblings.append(item)
        block = {"kind": "items", "section": entry["uid"],
                 "items": [{"uid": item["uid"], "line": element.lines[0],
                            "value": parts.item_value(item), "depth": len(stack)}]}
        stack.append((element.indent, item))
        stacks[id(section)] = (index, stack)
        reader.became(element, f"checklist item ({item['status']}) in '{entry['title']}'",
                      kind="checklist")
        reader.notes.setdefault("item_blocks", []).append(block)
        return Claim(1, [block])

    def _section_meta(self, reader, section, element, found) -> Claim | None:
        keys = [META_KEYS.get(norm_key(v.key)) for v in found]
        entries = reader.notes["sections"]
        if not any(keys) or id(section) not in entries:
            return None
        entry = entries[id(section)]
        values = parts.section_meta_values(reader, element, entry, found, keys)
        reader.became(element, f"owner, due date and status of '{entry['title']}'",
                      kind="checklist")
        return Claim(1, [{"kind": "section_meta", "section": entry["uid"],
                          "line": element.lines[0], "value": values}])

    # ---- release fields, milestones, dated fields -------------------------------------------
    def _release_field(self, reader, section, element, found) -> Claim | None:
        if len(found) != 1:
            return None
        key = norm_key(found[0].key)
        target = next((name for name, keys in RELEASE_KEYS.items() if key in keys), None)
        used = reader.notes["used_keys"]
        if target is None or target in used:
            return None
        value = parts.release_value(reader, element, target, found[0])
        if value is not None:
            used.add(target)
            reader.spec["release"][target] = value
            reader.became(element, f"release {target.replace('_', ' ')}: {value}",
                          kind="release")
        else:
            # Not filled in yet ("[Name]", "TBD"): the line shows the live value once there is one.
            reader.became(element, f"release {target.replace('_', ' ')} (not set yet)",
                          kind="release")
        return Claim(1, [{"kind": "release_field", "field": target, "line": element.lines[0],
                          "value": value}])

    def _dated_field(self, reader, section, element, found) -> Claim | None:
        if len(found) != 1:
            return None
        field = found[0]
        key = markdown.strip_markup(field.key)
        if markdown.is_placeholder(field.value):
            return None
        span = reader.span(field.value, element)
        found_dates = reader.find_dates(field.value, element) if span is None else []
        if found_dates and (MILESTONE_WORDS.search(key)
                            or found_dates[0].span.start != found_dates[0].span.end):
            span = found_dates[0].span  # "Estimated: 9/18 - 9/22", "PW Sprint 61, June 20-July 1"
        if span is None:
            if MILESTONE_WORDS.search(key) and dates.looks_like_date(field.value):
                reader.warn(element, f"Could not read the date '{field.value}' of '{key}'; "
                            "the line is kept as text.")
            return None
        generic = bool(GENERIC_DATE_KEYS.match(key) or GENERIC_DATE_KEYS.match(
            re.sub(r"\s+or\s+.*$", "", key)))
        name = _section_name(section) if generic else key
        name = (name or key)[:200]
        if span.start == span.end:
            in_calendar = any(MILESTONE_SECTIONS.search(title) for title in section.path())
            if not (MILESTONE_WORDS.search(key) or in_calendar):
                return None
            if generic and span.start.day and _go_live_section(section) and \
                    "go_live" not in reader.spec["release"]:
                reader.spec["release"]["go_live"] = span.start.day.isoformat()
            return self._milestone(reader, element, field, name, span.start)
        entry = parts.phase_entry(reader, name, span)
        reader.became(element, parts.describe_phase(entry), kind="phase")
        return Claim(1, [{"kind": "phase", "uid": entry["uid"], "line": element.lines[0],
                          "value": parts.phase_value(entry), "sample": field.value}])

    def _milestone(self, reader, element, field, name: str, when) -> Claim:
        kind = next((k for pattern, k in MILESTONE_KINDS if pattern.search(name)), "other")
        entry = reader.add_entry("milestones", {
            "uid": reader.new_uid("m"), "name": name, "kind": kind, "date": when.as_text()})
        release = reader.spec["release"]
        if norm_key(field.key) in START_KEYS and "planning_start" not in release and when.day:
            reader.spec["release"]["planning_start"] = when.day.isoformat()
        reader.became(element, f"milestone '{name}' ({kind.replace('_', ' ')}) on "
                      f"{entry['date']}", kind="milestone")
        return Claim(1, [{"kind": "milestone", "uid": entry["uid"], "line": element.lines[0],
                          "value": {"name": name, "date": entry["date"]},
                          "sample": field.value}])

    def _phase_description(self, reader, section, index: int) -> Claim:
        run = []
        while index + len(run) < len(section.elements):
            element = section.elements[index + len(run)]
            if element.kind not in ("text", "item") or element.is_checkbox:
                break
            run.append(element)
        uid = section.phase_uid
        entry = next(p for p in reader.spec["phases"] if p["uid"] == uid)
        lines = [e.lines[0] for e in run]
        text = "\n".join(line.strip() for line in lines)
        entry["description"] = f"{entry['description']}\n{text}".strip()
        for element in run:
            reader.became(element, f"description of phase '{entry['name']}'", kind="phase")
        return Claim(len(run), [{"kind": "phase_description", "uid": uid, "lines": lines,
                                 "value": text}])

    # ---- scope -------------------------------------------------------------------------------
    def _scope(self, reader, section, index: int, kind: str) -> Claim | None:
        element = section.elements[index]
        text = element.text if element.kind == "item" else element.lines[0].strip()
        if markdown.is_placeholder(text):
            return None
        entry, style = parts.scope_entry(reader, element, kind)
        reader.became(element, f"{kind.replace('_', ' ')} '{entry['title']}' "
                      f"({entry['status'].replace('_', ' ')})", kind="scope")
        return Claim(1, [{"kind": "scope", "uid": entry["uid"], "line": element.lines[0],
                          "value": parts.scope_value(entry), "style": style}])

    def finish(self, reader) -> None:
        self._drop_empty_sections(reader)
        last: dict[str, dict] = {}
        for block in reader.notes.get("item_blocks", []):
            last[block["section"]] = block
        for block in last.values():
            block["tail"] = True
        for entry in reader.notes["sections"].values():
            for block in reader.blocks:
                if block.get("kind") == "section_meta" and block["section"] == entry["uid"]:
                    block["value"]["progress"] = parts.progress_word(entry["items"])
        release = reader.spec["release"]
        if "go_live" not in release and not reader.notes.get("go_live_warned"):
            reader.warnings.append({"line": None, "message": "No release date was found; the "
                                    "release has no go-live date yet."})
        if not release.get("name"):
            release["name"] = (reader.notes.get("front_matter_title") or reader.notes.get("title")
                               or "Imported plan")[:200]

    @staticmethod
    def _drop_empty_sections(reader) -> None:
        """A heading whose boxes other areas took (agenda items, planned messages) is no
        checklist: it stays a heading."""
        empty = {entry["uid"] for entry in reader.notes["sections"].values() if not entry["items"]
                 and not any(b.get("kind") == "section_meta" and b["section"] == entry["uid"]
                             for b in reader.blocks)}
        if not empty:
            return
        reader.spec["checklists"] = [e for e in reader.spec["checklists"] if e["uid"] not in empty]
        for index, block in enumerate(reader.blocks):
            if block.get("kind") == "section_heading" and block["uid"] in empty:
                reader.blocks[index] = {"kind": "text", "lines": [block["line"]]}
                for line in reader.report:
                    if line["source"] == block["line"].strip() and line["kind"] == "checklist":
                        line.update(kind="note", became="kept as a heading")

    # ---- applying, rendering, exporting ------------------------------------------------------
    def apply(self, context, entries) -> None:
        parts.apply_release_parts(context)

    def resolve(self, block: dict, records: dict) -> None:
        """An item's line is given back as written while its record still holds what the
        import made of it (its owner matched to a user, its due date)."""
        section = records.get(block.get("section"))
        if block["kind"] != "items" or section is None:
            return
        for entry in block["items"]:
            item = records.get(entry.get("uid"))
            if item is not None:
                entry["value"] = parts.live_item_value(item, section)

    def load(self, release) -> dict:
        return parts.load_live(release)

    def render(self, block: dict, live: dict) -> list[str]:
        return parts.render_block(block, live)

    def export(self, release, live: dict) -> list[dict]:
        return []

    def appendix(self, live: dict, placed: dict, *, standalone: bool) -> list[str]:
        return parts.appendix(live, placed, standalone=standalone)


register_mapper(ReleaseMapper())
