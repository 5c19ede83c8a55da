"""Training sessions and review meetings into the meetings area.

- A schedule table (Session | Date | Time | Attendees | Trainer) gives one meeting per row.
- A session description ("**Session 1: Admin Training** (2 hours)", "**Target Audience**: ...",
  "**Topics**:" and its items) adds its length, audience and topics to the meeting of that name.
- A heading that names a meeting ("#### Week 1 Review Meeting") with a Date/Time line, an
  "**Agenda**:" checklist, "**Attendees**:" and "**Meeting Notes**:" is one meeting; its agenda
  boxes are the meeting's agenda items.

The export writes the live date, time, attendees, ticked agenda items and notes into those lines.
"""

import re
from datetime import time

from tminus.core.offsets import format_offset
from tminus.plans import durations, markdown
from tminus.plans.mapping import Claim, Mapper, area_ready, register_mapper
from tminus.plans.mapping.common import (
    header_index,
    label_of,
    row_line,
    run_of,
    same,
)
from tminus.plans.mapping.meeting_parts import (
    agenda_claim,
    apply_meeting,
    live_value,
    render_block,
)
from tminus.plans.mapping.release_parts import norm_key

MEETING_TITLE = re.compile(r"\bmeeting\b|\bretro(?:spective)?\b|\bkick-?off\b|\bworkshop\b",
                           re.I)
SESSION_HEAD = re.compile(r"^\*\*(?:session|workshop|training)\b(?:[ \t]*\d+)?[ \t]*:?[ \t]*"
                          r"(?P<title>[^*]*?)[ \t]*\*\*[ \t]*(?:\((?P<length>[^()]+)\))?[ \t]*:?$",
                          re.I)
KINDS = [(re.compile(r"train", re.I), "training"), (re.compile(r"retro", re.I), "retrospective"),
         (re.compile(r"go\s*/\s*no[- ]?go", re.I), "go_no_go"), (re.compile(r"\buat\b", re.I),
                                                                "uat"),
         (re.compile(r"review", re.I), "review")]
TIME = re.compile(r"^(\d{1,2})(?::(\d{2}))?[ \t]*([ap]\.?m\.?)?$", re.I)
WHEN_KEYS = {"date": "date", "time": "time", "when": "date"}
NOTES_KEYS = {"meeting notes", "notes", "minutes", "decisions"}
AUDIENCE_KEYS = {"target audience", "audience", "for"}
TOPIC_LABELS = {"topics", "agenda", "content", "covers"}


def kind_of(*texts: str) -> str:
    text = " ".join(texts)
    return next((kind for pattern, kind in KINDS if pattern.search(text)), "other")


def parse_time(text: str) -> str | None:
    match = TIME.match(markdown.strip_markup(text or "").strip())
    if not match:
        return None
    hour, minute = int(match[1]), int(match[2] or 0)
    if match[3]:
        hour = hour % 12 + (12 if match[3].lower().startswith("p") else 0)
    return f"{hour:02d}:{minute:02d}" if hour < 24 and minute < 60 else None


def _date(reader, text: str) -> str | None:
    if markdown.is_placeholder(text):
        return None
    when = reader.when(text)
    return when.as_text() or None if when is not None else None


class MeetingMapper(Mapper):
    key = "meetings"
    label = "Training sessions and meetings (meetings)"
    order = 500
    block_kinds = ("meeting_row", "meeting_session", "meeting_when", "meeting_agenda",
                   "meeting_attendees", "meeting_notes")

    def ready(self) -> bool:
        return area_ready("tminus.meetings.services", "meeting_create", "meeting_update",
                          "agenda_item_add", "agenda_item_set", "meeting_attendee_add")

    # ---- reading: a heading that is a meeting ------------------------------------------------
    def claim_heading(self, reader, section):
        title = markdown.strip_markup(section.title) if section.level else ""
        if not MEETING_TITLE.search(title) or re.search(r"go\s*/\s*no", title, re.I):
            return None
        if not any(_when_fields(e) or label_of(e) or e.is_checkbox for e in section.elements):
            return None
        from tminus.plans.mapping.releases import offset_in

        offset = offset_in(title)
        entry = self._entry(reader, title, kind=kind_of(title),
                            date=format_offset(offset) if offset is not None else None)
        section.meeting_uid = entry["uid"]
        reader.became(section.heading, f"meeting '{title}' ({entry['kind']})", kind="meeting")
        return [{"kind": "text", "lines": list(section.heading.lines)}]

    def _entry(self, reader, title: str, **values) -> dict:
        entry = {"uid": reader.new_uid("w"), "title": title[:300], "kind": "other", "date": None,
                 "time": None, "duration_minutes": None, "audience": "", "topics": [],
                 "agenda": [], "attendees": [], "trainer": None, **values}
        reader.notes.setdefault("meetings", []).append(entry)
        return reader.add_entry(self.key, entry)

    # ---- reading: elements -------------------------------------------------------------------
    def claim(self, reader, section, index: int) -> Claim | None:
        element = section.elements[index]
        uid = getattr(section, "meeting_uid", None)
        if uid is not None:
            claim = self._meeting_part(reader, section, index, self._by_uid(reader, uid))
            if claim is not None:
                return claim
        if element.kind == "table":
            return self._schedule(reader, section, element)
        if element.kind == "text" and (head := _session_head(element.text)):
            return self._session(reader, section, index, head)
        return None

    @staticmethod
    def _by_uid(reader, uid: str) -> dict:
        return next(e for e in reader.notes["meetings"] if e["uid"] == uid)

    def _meeting_part(self, reader, section, index: int, entry: dict) -> Claim | None:
        element = section.elements[index]
        label = label_of(element)
        if (label and norm_key(label) in TOPIC_LABELS) or element.is_checkbox:
            return agenda_claim(reader, section, index, entry, with_label=bool(label))
        found = markdown.fields_in(element.lines[0]) if element.kind == "text" else []
        keys = [norm_key(f.key) for f in found]
        if found and all(key in WHEN_KEYS for key in keys):
            for field, key in zip(found, keys, strict=True):
                if WHEN_KEYS[key] == "date":
                    entry["date"] = _date(reader, field.value) or entry["date"]
                else:
                    entry["time"] = parse_time(field.value) or entry["time"]
            return self._part(reader, element, entry, "meeting_when", "date and time")
        if len(found) == 1 and keys[0] == "attendees":
            entry["attendees"] = _names(found[0].value)
            return self._part(reader, element, entry, "meeting_attendees", "attendees")
        if len(found) == 1 and keys[0] in NOTES_KEYS:
            return self._part(reader, element, entry, "meeting_notes", "notes")
        return None

    @staticmethod
    def _part(reader, element, entry: dict, kind: str, what: str) -> Claim:
        reader.became(element, f"{what} of meeting '{entry['title']}'", kind="meeting")
        return Claim(1, [{"kind": kind, "uid": entry["uid"], "lines": list(element.lines)}])

    def _schedule(self, reader, section, element) -> Claim | None:
        header = element.rows[0] if element.rows else []
        columns = {"title": header_index(header, "session", "meeting", "training", "event"),
                   "date": header_index(header, "date", "day"),
                   "time": header_index(header, "time"),
                   "attendees": header_index(header, "attendees", "participants", "audience"),
                   "trainer": header_index(header, "trainer", "host", "organiser", "organizer",
                                           "facilitator", "presenter")}
        if columns["title"] is None or columns["date"] is None:
            return None
        context = " ".join([*section.path(), header[columns["title"]]])
        body = [line for line in element.lines if not _delimiter(line)][1:]
        block = {"kind": "meeting_row", "columns": columns, "rows": [],
                 "head": element.lines[:len(element.lines) - len(body)]}
        for line, cells in zip(body, element.rows[1:], strict=False):
            block["rows"].append(self._row(reader, line, cells, columns, context))
        reader.became(element, f"schedule of {len(block['rows'])} meeting(s)", kind="meeting")
        return Claim(1, [block])

    def _row(self, reader, line: str, cells: list[str], columns: dict, context: str) -> dict:
        def cell(name):
            return cells[columns[name]].strip() if columns[name] is not None else ""

        title = markdown.strip_markup(cell("title"))
        if markdown.is_placeholder(title):
            return {"line": line}
        trainer = markdown.strip_markup(cell("trainer"))
        entry = self._entry(reader, title, kind=kind_of(context, title),
                            date=_date(reader, cell("date")), time=parse_time(cell("time")),
                            attendees=_names(cell("attendees")),
                            trainer=None if markdown.is_placeholder(trainer) else trainer)
        return {"uid": entry["uid"], "line": line, "cells": cells}

    def _session(self, reader, section, index: int, head) -> Claim:
        element = section.elements[index]
        title = markdown.strip_markup(head["title"]) or markdown.strip_markup(element.text)
        matches = [e for e in reader.notes.get("meetings", [])
                   if same(e["title"], title) or e["title"].lower().startswith(title.lower())]
        if not matches:
            matches = [self._entry(reader, title, kind=kind_of(element.text, title))]
        run = run_of(section, index + 1, lambda e: e.kind in ("text", "item")
                     and not e.is_checkbox and not _session_head(e.text))
        minutes = durations.minutes_in(head["length"] or "")
        audience, topics = _session_body(run)
        for entry in matches:
            entry.update({"duration_minutes": minutes or entry["duration_minutes"],
                          "audience": audience or entry["audience"],
                          "topics": topics or entry["topics"]})
        reader.became(element, f"session '{title}' of {len(matches)} meeting(s)",
                      kind="meeting")
        return Claim(1 + len(run), [{"kind": "meeting_session", "uid": matches[0]["uid"],
                                     "lines": [element.lines[0], *(line for e in run
                                                                   for line in e.lines)]}])

    def template_parts(self, parts: dict, release_type: str) -> None:
        parts["meetings"] = []

    # ---- applying and live data --------------------------------------------------------------
    def apply(self, context, entries) -> None:
        for entry in entries:
            apply_meeting(context, entry)

    def load(self, release) -> dict:
        meetings = (release.meetings.select_related("trainer")
                    .prefetch_related("agenda", "attendees"))
        return {"meetings": {m.pk: m for m in meetings}}

    def resolve(self, block: dict, records: dict) -> None:
        if block["kind"] == "meeting_row":
            for row in block["rows"]:
                if row.get("uid") in records:
                    row["value"] = live_value("meeting_row", records[row["uid"]])
        elif block.get("uid") in records:
            block["value"] = live_value(block["kind"], records[block["uid"]])

    def render(self, block: dict, live: dict) -> list[str]:
        meetings = live.get("meetings", {})
        if block["kind"] == "meeting_row":
            return list(block["head"]) + [_render_row(block, row, meetings.get(row.get("id")))
                                          for row in block["rows"]]
        return render_block(block, meetings.get(block.get("id")))

    def export(self, release, live: dict) -> list[dict]:
        from tminus.plans.mapping.meeting_parts import meeting_entry

        return [meeting_entry(m) for m in live.get("meetings", {}).values()
                if m.status != "cancelled"]

    def appendix(self, live: dict, placed: dict, *, standalone: bool) -> list[str]:
        shown = set(placed.get("meeting_session", set())) | set(placed.get("meeting_when", set()))
        shown |= live.get("meeting_rows_shown", set())
        rest = [m for pk, m in live.get("meetings", {}).items()
                if pk not in shown and m.status != "cancelled"]
        if not rest:
            return []
        lines = ["", f"{'##' if standalone else '###'} Meetings", "",
                 "| Meeting | Date | Time | Attendees | Trainer |",
                 "|---------|------|------|-----------|---------|"]
        for meeting in rest:
            value = live_value("meeting_row", meeting)
            lines.append(row_line([meeting.title, value["date"] or "", value["time"] or "",
                                   ", ".join(value["attendees"]), value["trainer"] or ""]))
        return lines

    def before_render(self, blocks: list[dict], live: dict) -> None:
        live["meeting_rows_shown"] = {row.get("id") for b in blocks if b["kind"] == "meeting_row"
                                      for row in b["rows"] if row.get("id")}


def _session_head(text: str):
    """'**Session 1: Admin Training** (2 hours)': a numbered session, or one with a length."""
    head = SESSION_HEAD.match(text)
    if head and (head["length"] or re.match(r"^\*\*\w+[ \t]*\d", text)):
        return head
    return None


def _names(text: str) -> list[str]:
    text = markdown.strip_markup(text or "")
    if markdown.is_placeholder(text):
        return []
    parts = re.split(r"[ \t]*(?:,|;|\band\b|&)[ \t]*", text)
    return [part.strip()[:100] for part in parts if part.strip()]


def _session_body(run) -> tuple[str, list[str]]:
    audience, topics = "", []
    for element in run:
        found = markdown.fields_in(element.lines[0])
        if element.kind == "item" and not found:
            topics.append(markdown.strip_markup(element.text))
        elif len(found) == 1 and norm_key(found[0].key) in AUDIENCE_KEYS:
            audience = found[0].value
    return audience[:300], topics


def _render_row(block: dict, row: dict, meeting) -> str:
    if meeting is None or "uid" not in row:
        return row["line"]
    value = live_value("meeting_row", meeting)
    if value == row.get("value"):
        return row["line"]
    cells, columns = list(row["cells"]), block["columns"]
    texts = {"title": value["title"], "date": value["date"] or "", "time": value["time"] or "",
             "attendees": ", ".join(value["attendees"]), "trainer": value["trainer"] or ""}
    for name, text in texts.items():
        if columns[name] is not None:
            cells[columns[name]] = text
    return row_line(cells)


def _when_fields(element) -> bool:
    if element.kind != "text":
        return False
    found = markdown.fields_in(element.lines[0])
    return bool(found) and all(norm_key(f.key) in WHEN_KEYS for f in found)


def _delimiter(line: str) -> bool:
    return "-" in line and bool(markdown.TABLE_DELIMITER.match(line))


def as_time(text: str | None) -> time | None:
    if not text:
        return None
    hour, minute = text.split(":")
    return time(int(hour), int(minute))


register_mapper(MeetingMapper())
