"""Contacts and stakeholders into the people area: a Role | Name | Email | Phone table, role
lines ("Deployment Lead: Ana", "**Project Sponsor**: [Name]") and stakeholder role lists
("- **QA Team**: Conducts functional, performance, and regression testing.").

A named person becomes a stakeholder of the release (the person is found by name, or added); a
role whose name is still blank stays as text, and the export fills it in once the release has a
stakeholder whose person's title (or what they are responsible for) is that role.
"""

import re

from tminus.plans import markdown, semantics
from tminus.plans.mapping import Claim, area_ready, register_mapper
from tminus.plans.mapping.common import (
    RecordMapper,
    header_index,
    label_of,
    lines_of,
    marker_of,
    nested_items,
    row_line,
    run_of,
    same,
    sync,
)
from tminus.plans.mapping.release_parts import norm_key

ROLE_WORDS = re.compile(r"(?:^|\s)(sponsor|manager|lead|owner|engineer|admin|administrator|"
                        r"coordinator|champion|architect|analyst|tester|developer|support|"
                        r"dba|devops)$", re.I)
NOT_CONTACTS = {"release owner", "release manager", "owner", "monitoring lead", "project"}
DISCIPLINES = [
    (re.compile(r"sponsor|business owner|executive", re.I), "sponsor"),
    (re.compile(r"project|program|delivery|scrum|pm\b", re.I), "project_management"),
    (re.compile(r"product", re.I), "product"),
    (re.compile(r"\bqa\b|quality|test", re.I), "qa"),
    (re.compile(r"security", re.I), "security"),
    (re.compile(r"marketing|communication", re.I), "marketing"),
    (re.compile(r"support|on-?call|help ?desk|service desk", re.I), "customer_support"),
    (re.compile(r"devops|operations|\bops\b|deploy|database|dba|infrastructure|sre|platform",
                re.I),
     "operations"),
    (re.compile(r"develop|engineer|technical|tech lead|architect", re.I), "development"),
]
PEOPLE_WORDS = re.compile(r"\b(?:attendees?|members?|team|contacts?|people|who|stakeholders?|"
                          r"on[- ]call|poc|roster|participants?|approvers?|owners?|staff)\b",
                          re.I)
TEAM_WITH_NAMES = re.compile(r"^(?P<team>[^()]{2,60}?)[ \t]*\((?P<names>[^()]+)\)$")
ROLE_OF_NAME = re.compile(r"(?P<role>[A-Z][\w/&.+-]*(?:[ \t]+[\w/&.+-]+){0,4})[ \t]*"
                          r"\((?P<name>[^()]+)\)")
STAKEHOLDER_LABELS = re.compile(r"^(?:key |project )?(?:stakeholders?(?: roles)?|team roles|"
                                r"roles and responsibilities)$", re.I)


def person_entry(reader, name: str, *, title: str = "", responsible_for: str = "",
                 email: str = "", phone: str = "") -> dict:
    """The release's stakeholder entry for a person the plan names (one per person and role):
    whoever owns a task, sits on a roster or is listed as a contact becomes a person of the
    release, matched to an existing person by name when the plan is applied."""
    name = " ".join(markdown.strip_markup(name).split())[:200]
    role = discipline(title) if title else "other"
    for entry in reader.spec.get("stakeholders", []):
        if same(entry["name"], name) and entry["role"] == role:
            if responsible_for and responsible_for not in entry["responsible_for"]:
                entry["responsible_for"] = "; ".join(
                    part for part in (entry["responsible_for"], responsible_for) if part)[:2000]
            entry["title"] = entry["title"] or title[:200]
            return entry
    return reader.add_entry("stakeholders", {
        "uid": reader.new_uid("h"), "name": name, "title": title[:200], "role": role,
        "email": email[:254], "phone": phone[:50], "responsible_for": responsible_for[:2000]})


def discipline(label: str) -> str:
    """The stakeholder role (discipline) a role or team name points at."""
    return next((role for pattern, role in DISCIPLINES if pattern.search(label)), "other")


def _is_person_name(value: str) -> bool:
    words = markdown.strip_markup(value).split()
    return 1 <= len(words) <= 4 and all(w[:1].isupper() for w in words) and not any(
        ch.isdigit() for ch in value)


def _contact_field(element):
    """A 'Role: name' line whose role names a person's job and whose name is a name or blank."""
    if element.kind not in ("text", "item") or element.is_checkbox:
        return None
    found = markdown.fields_in(element.lines[0])
    if len(found) != 1 or norm_key(found[0].key) in NOT_CONTACTS:
        return None
    field = found[0]
    if not ROLE_WORDS.search(markdown.strip_markup(field.key)):
        return None
    if not (markdown.is_placeholder(field.value) or _is_person_name(field.value)):
        return None
    return field


class StakeholderMapper(RecordMapper):
    key = "stakeholders"
    label = "Contacts and stakeholders (people)"
    order = 320
    block_kinds = ("contact_table", "contact_line", "person_lines")
    live_key = "stakeholders"

    def ready(self) -> bool:
        return area_ready("tminus.people.services", "stakeholder_add", "stakeholder_update",
                          "stakeholder_remove", "person_create")

    # ---- reading -----------------------------------------------------------------------------
    def claim(self, reader, section, index: int) -> Claim | None:
        element = section.elements[index]
        if element.kind == "table":
            return self._table(reader, element)
        if element.kind == "item" and not element.is_checkbox:
            claim = self._team_line(reader, section, element) or self._names(reader, section,
                                                                           index)
            if claim is not None:
                return claim
        label = label_of(element)
        if label and element.kind == "item" and STAKEHOLDER_LABELS.search(label):
            return self._role_list(reader, section, index)
        title = markdown.strip_markup(section.title) if section.level else ""
        if element.kind == "item" and STAKEHOLDER_LABELS.search(title) and not label:
            return self._role_line(reader, element, element)
        field = _contact_field(element)
        if field is not None:
            return Claim(1, [self._contact(reader, element, field)])
        return None

    def _table(self, reader, element) -> Claim | None:
        header = element.rows[0] if element.rows else []
        columns = {"role": header_index(header, "role", "title", "position"),
                   "name": header_index(header, "name", "contact", "person"),
                   "email": header_index(header, "email", "e-mail"),
                   "phone": header_index(header, "phone", "mobile", "tel")}
        if columns["role"] is None or columns["name"] is None:
            return None
        body = [line for line in element.lines if not _delimiter(line)][1:]
        block = {"kind": "contact_table", "columns": columns,
                 "head": element.lines[:len(element.lines) - len(body)], "rows": []}
        for line, cells in zip(body, element.rows[1:], strict=False):
            row = {"line": line, "cells": cells, "label": markdown.strip_markup(
                cells[columns["role"]])}
            entry = self._entry(reader, row["label"], cells[columns["name"]],
                                *(cells[columns[c]] if columns[c] is not None else ""
                                  for c in ("email", "phone")))
            if entry is not None:
                row["uid"] = entry["uid"]
            block["rows"].append(row)
        reader.became(element, f"contacts table of {len(block['rows'])} role(s)",
                      kind="people")
        return Claim(1, [block])

    def _names(self, reader, section, index: int) -> Claim | None:
        """A list of people ('- Chris Johnston', '- POC: Rachael Roueche (email)', '- Evan,
        Robin') under a heading or a label: each a person of the release, titled by it."""
        element = section.elements[index]
        if index and section.elements[index - 1].kind == "item" and \
                section.elements[index - 1].indent <= element.indent:
            return None  # not the start of a list
        run = run_of(section, index, lambda e: e.kind == "item" and not e.is_checkbox
                     and e.indent == element.indent)
        items = [e for e in run if e.kind == "item"]
        found = [semantics.names_in(e.text) if not _labelled(e.text) else [] for e in items]
        if not items or not all(found):
            return None
        label = _label_before(section, index)
        title = markdown.strip_markup(section.title) if section.level else ""
        if not (any(len(n.split()) > 1 for names in found for n in names)
                or PEOPLE_WORDS.search(f"{label} {title}")):
            return None
        context = title or label
        for item, names in zip(items, found, strict=True):
            poc = re.match(r"^\s*poc\s*:", item.text, re.I)
            for name in names:
                person_entry(reader, name, responsible_for=f"POC: {context}" if poc
                             else context, email=_email(item.text))
            reader.became(item, f"person of the release: {', '.join(names)}", kind="people")
        return Claim(len(run), [{"kind": "person_lines", "lines": lines_of(run)}])

    def _team_line(self, reader, section, element) -> Claim | None:
        """'**Engineering (Evan, Robin):** Maintain alert logic' and 'Who is monitoring the
        dashboard(s)?: Product Manager (Matt Reilly) and Lead Engineer (Matt knight)'."""
        found = markdown.fields_in(element.lines[0])
        if len(found) != 1 or not found[0].value:
            return None
        key, value = markdown.strip_markup(found[0].key), found[0].value
        team = TEAM_WITH_NAMES.match(key)
        people = []
        if team and (names := semantics.names_in(team["names"], lenient=True)):
            people = [(name, team["team"].strip(), value) for name in names]
        elif re.match(r"^who\b", key, re.I):
            duty = re.sub(r"^who\s+(?:is|are|will be)\s+", "", key, flags=re.I).rstrip("?")
            people = [(m["name"].strip(), m["role"].strip(), duty)
                      for m in ROLE_OF_NAME.finditer(value)
                      if semantics.is_person_name(m["name"].strip(), lenient=True)]
            if not people:
                people = [(name, "", duty) for name in semantics.names_in(value, lenient=True)]
        if not people:
            return None
        for name, role, duty in people:
            person_entry(reader, name, title=role, responsible_for=semantics.as_written(duty))
        reader.became(element, "person of the release: " + ", ".join(n for n, _r, _d in people),
                      kind="people")
        return Claim(1, [{"kind": "person_lines", "lines": list(element.lines)}])

    def _role_list(self, reader, section, index: int) -> Claim:
        element = section.elements[index]
        blocks = [{"kind": "text", "lines": list(element.lines)}]
        run = nested_items(section, index)
        for item in run:
            if item.kind == "item" and (claimed := self._role_line(reader, item, item)):
                blocks += claimed.blocks
            else:
                blocks.append({"kind": "text", "lines": list(item.lines)})
        return Claim(1 + len(run), blocks)

    def _role_line(self, reader, element, source) -> Claim | None:
        found = markdown.fields_in(element.lines[0])
        if len(found) != 1 or not found[0].value:
            return None
        name = markdown.strip_markup(found[0].key)
        entry = self._entry(reader, name, name, responsible_for=found[0].value)
        if entry is None:
            return None
        reader.became(element, f"stakeholder '{name}' ({entry['role']})", kind="people")
        return Claim(1, [{"kind": "contact_line", "style": "responsibility", "uid": entry["uid"],
                          "lines": list(element.lines), "label": name}])

    def _contact(self, reader, element, field) -> dict:
        label = markdown.strip_markup(field.key)
        entry = self._entry(reader, label, field.value)
        block = {"kind": "contact_line", "style": "contact", "lines": list(element.lines),
                 "label": label}
        if entry is not None:
            block["uid"] = entry["uid"]
            reader.became(element, f"stakeholder '{entry['name']}' as {label}", kind="people")
        else:
            reader.became(element, f"contact role '{label}' (no name yet)", kind="people")
        return block

    def _entry(self, reader, label: str, name: str, email: str = "", phone: str = "",
               responsible_for: str = "") -> dict | None:
        name = markdown.strip_markup(name)
        if markdown.is_placeholder(name):
            return None
        email = email.strip() if "@" in email else ""
        entry = person_entry(reader, name, title=label, responsible_for=responsible_for.strip(),
                             email=email,
                             phone="" if markdown.is_placeholder(phone) else phone.strip())
        reader.notes.setdefault("contact_entries", []).append(entry)
        return entry

    def finish(self, reader) -> None:
        for entry in reader.notes.get("contact_entries", []):
            if entry["name"] == entry["title"]:
                entry["title"] = ""  # a team named as itself has no job title

    # ---- applying ----------------------------------------------------------------------------
    def apply(self, context, entries) -> None:
        from tminus.people import services

        def add(entry):
            return services.stakeholder_add(
                release=context.release, person=_person(context, entry), role=entry["role"],
                responsible_for=entry.get("responsible_for", ""), actor=context.actor)

        sync(context, entries, context.release.stakeholders.select_related("person"),
             noun="stakeholder", add=add,
             match=lambda s, e: same(s.person.name, e.get("name")) and s.role == e.get("role"),
             changes=lambda s, e: {} if same(s.responsible_for, e.get("responsible_for"))
             else {"responsible_for": e.get("responsible_for", "")},
             update=lambda s, changes: services.stakeholder_update(
                 stakeholder=s, revision=None, changes=changes, actor=context.actor),
             remove=lambda s: services.stakeholder_remove(stakeholder=s, actor=context.actor))

    # ---- live data ---------------------------------------------------------------------------
    def load(self, release) -> dict:
        return {self.live_key: {s.pk: s for s in
                                release.stakeholders.select_related("person")}}

    def resolve(self, block: dict, records: dict) -> None:
        if block["kind"] == "person_lines":
            return None
        if block["kind"] == "contact_line":
            return super().resolve(block, records)
        for row in block["rows"]:
            if row.get("uid") in records:
                row["value"] = self.current(records[row["uid"]])

    def current(self, stakeholder) -> dict:
        person = stakeholder.person
        return {"name": person.name, "email": person.email, "phone": person.phone,
                "role": stakeholder.role, "responsible_for": stakeholder.responsible_for}

    def render(self, block: dict, live: dict) -> list[str]:
        if block["kind"] == "person_lines":
            return list(block["lines"])
        stakeholders = live.get(self.live_key, {})
        shown = live.setdefault("contacts_shown", set())
        if block["kind"] == "contact_table":
            return list(block["head"]) + [self._row(block, row, stakeholders, shown)
                                          for row in block["rows"]]
        if block.get("uid") is None:
            found = _by_label(stakeholders, block["label"])
            if found is None:
                return list(block["lines"])
            shown.add(found.pk)
            return [_fill_field(block["lines"][0], found)]
        return super().render(block, live)

    def rewrite(self, block: dict, stakeholder, live: dict) -> list[str]:
        line = block["lines"][0]
        if block["style"] == "responsibility":
            return [f"{marker_of(line)}**{stakeholder.person.name}**: "
                    f"{stakeholder.responsible_for}"]
        return [_fill_field(line, stakeholder)]

    def _row(self, block: dict, row: dict, stakeholders: dict, shown: set) -> str:
        if "uid" in row:
            found = stakeholders.get(row.get("id"))
            if found is not None and self.current(found) == row.get("value"):
                shown.add(found.pk)
                return row["line"]
        else:
            found = _by_label(stakeholders, row["label"])
        if found is None:
            return row["line"]
        shown.add(found.pk)
        cells, columns = list(row["cells"]), block["columns"]
        for column, value in (("name", found.person.name), ("email", found.person.email),
                              ("phone", found.person.phone)):
            if columns[column] is not None:
                cells[columns[column]] = value
        return row_line(cells)

    def export(self, release, live: dict) -> list[dict]:
        return [{"name": s.person.name, "title": s.person.title, "role": s.role,
                 "email": s.person.email, "phone": s.person.phone,
                 "responsible_for": s.responsible_for}
                for s in live.get(self.live_key, {}).values()]

    def appendix(self, live: dict, placed: dict, *, standalone: bool) -> list[str]:
        shown = placed.get("contact_line", set()) | live.get("contacts_shown", set())
        rest = [s for pk, s in live.get(self.live_key, {}).items() if pk not in shown]
        if not rest:
            return []
        return ["", f"{'##' if standalone else '###'} Key Contacts", "",
                "| Role | Name | Email | Phone |", "|------|------|-------|-------|",
                *[row_line([s.person.title or s.get_role_display(), s.person.name,
                            s.person.email, s.person.phone]) for s in rest]]


def _label_before(section, index: int) -> str:
    """The text line that announces a list ('The following members will be on site:')."""
    for element in reversed(section.elements[:index]):
        if element.kind == "blank":
            continue
        return markdown.strip_markup(element.lines[0]) if element.kind == "text" else ""
    return ""


def _labelled(text: str) -> bool:
    """'**Stakeholder Roles**:' or 'Team: …' announce or describe; 'POC: Ana Ruiz' names."""
    found = markdown.fields_in(text)
    return bool(found) and not re.match(r"^(?:poc|lead|owner|contact|primary|secondary|backup)$",
                                        markdown.strip_markup(found[0].key), re.I)


def _email(text: str) -> str:
    found = re.search(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", text)
    return found.group(0) if found else ""


def _person(context, entry: dict):
    from tminus.people.models import Person
    from tminus.people.services import person_create

    found = Person.objects.filter(name__iexact=entry["name"]).first()
    if found is not None:
        return found
    return person_create(name=entry["name"], title=entry.get("title", ""),
                         email=entry.get("email", ""), phone=entry.get("phone", ""),
                         actor=context.actor)


def _by_label(stakeholders: dict, label: str):
    for stakeholder in stakeholders.values():
        if same(stakeholder.person.title, label) or same(stakeholder.responsible_for, label):
            return stakeholder
    return None


def _fill_field(line: str, stakeholder) -> str:
    found = markdown.fields_in(line)
    if not found:
        return line
    return markdown.replace_values(line, {0: stakeholder.person.name}, found)


def _delimiter(line: str) -> bool:
    return "-" in line and bool(markdown.TABLE_DELIMITER.match(line))


register_mapper(StakeholderMapper())
