"""Dated events written as list items or lines: milestones (or phases) of the release.

"- **2025/03/10** - BMT1 began the Canary phase", "* June 13, 2022 - White City, Roseburg",
"- 2021-03-26: [Initial discussion](…)", "- Aubrey sent out email … on March 19 2018",
"**1.21** enters maintenance mode on **2022-04-28**", a heading that is only a date
("## Nov 7, 2018" under the plan's title): each is a milestone named by its words, owned by the
party that did it ("Aubrey sent …"). A range is a phase. An event that repeats a milestone the
plan already has on that day (a summary list above a timeline table) is not added twice.
Front matter gives the title and its dates: a release date there is the go-live, any other
date (last_reviewed_on) a milestone.
"""

import re
from datetime import date

import yaml

from tminus.plans import dates, markdown, semantics
from tminus.plans.mapping import Claim, Mapper, register_mapper
from tminus.plans.mapping.tables import milestone_kind

SEPARATORS = re.compile(r"^[\s\-\u2013\u2014:|,;.]+|[\s\-\u2013\u2014:|,;(]+$")
GO_LIVE_KEYS = {"date", "release_date", "release-date", "launch_date", "go_live", "go-live",
                "golive", "launch", "release"}
MAX_LINE = 220


class EventMapper(Mapper):
    key = "events"
    label = "Dated events and front matter (release milestones)"
    order = 960  # after the areas and the tables, before the release's own fields
    block_kinds = ("event", "front_matter")

    def claim_heading(self, reader, section):
        from tminus.plans.mapping.releases import PHASE_HEADING, PHASE_HEADING_PLAIN

        title = markdown.strip_markup(section.title) if section.level else ""
        if not title:
            return None
        parent = section.parent
        span = reader.span(title, section.heading)
        if span is not None and span.start.day and parent is not None and parent.level:
            name = markdown.strip_markup(parent.title)[:200]  # "## Nov 7, 2018" under the title
        else:
            match = PHASE_HEADING.match(title) or PHASE_HEADING_PLAIN.match(title)
            if match and reader.span(match["when"], section.heading) is not None and not \
                    re.search(r"\bduring\b|\bfrom\b", match["name"], re.I):
                return None  # "Testing (March 1-March 12)": the release's phase heading
            found = [f for f in reader.find_dates(title, section.heading) if f.span.start.day]
            if len(found) != 1:
                return None
            span = found[0].span
            name = _clean_name(_strip_date(title, found[0]))
            if len(name) < 3:
                return None
        entry = self._event(reader, name, span)
        reader.became(section.heading, f"milestone '{name}' on {entry['date']}",
                      kind="milestone")
        return [{"kind": "event", "uid": entry["uid"], "lines": list(section.heading.lines)}]

    def claim(self, reader, section, index: int) -> Claim | None:
        element = section.elements[index]
        if element.kind == "front_matter":
            return self._front_matter(reader, element)
        if element.kind not in ("item", "text") or element.is_checkbox:
            return None
        line = element.lines[0]
        text = element.text if element.kind == "item" else line.strip()
        if len(text) > MAX_LINE or (element.kind == "text" and _in_paragraph(section, index)):
            return None
        found = [f for f in reader.find_dates(text, element) if f.span.start.day]
        if not found or (len(found) > 1 and found[0].start > 2):
            return None
        fields = markdown.fields_in(line)
        if fields and not reader.span(fields[0].key, element):
            return None  # "Release Date: …" is the release's own field
        first = found[0]
        rest = _clean_name(semantics.as_written(_strip_date(text, first)))
        if not rest and re.fullmatch(r"\*\*[^*]+\*\*:?", text) and section.level:
            rest = markdown.strip_markup(section.title)  # "**Wednesday Nov 7**" in a schedule
        if len(rest) < 3 or not re.search(r"[A-Za-z]{3}", rest):
            return None
        entry = self._event(reader, rest[:200], first.span,
                            owner=semantics.subject_of(rest, past=True))
        reader.became(element, f"milestone '{entry['name']}' on {entry['date']}",
                      kind="milestone")
        return Claim(1, [{"kind": "event", "uid": entry["uid"], "lines": list(element.lines)}])

    @staticmethod
    def _event(reader, name: str, span, owner=None) -> dict:
        from tminus.plans.mapping.stakeholders import person_entry

        who = owner.name if owner else ""
        if who and semantics.is_person_name(who):
            person_entry(reader, who, responsible_for=name)
        if span.start != span.end:
            entry = reader.add_entry("phases", {
                "uid": reader.new_uid("p"), "name": name, "start": span.start.as_text(),
                "end": span.end.as_text(), "description": ""})
            entry["date"] = entry["start"]
            reader.notes.setdefault("events", []).append(("phases", entry))
            return entry
        entry = reader.add_entry("milestones", {
            "uid": reader.new_uid("m"), "name": name, "kind": milestone_kind(name),
            "date": span.start.as_text(), "responsible": who[:200]})
        reader.notes.setdefault("events", []).append(("milestones", entry))
        return entry

    def _front_matter(self, reader, element) -> Claim | None:
        try:
            data = yaml.safe_load("\n".join(element.lines[1:-1]))
        except yaml.YAMLError:
            return None
        if not isinstance(data, dict):
            return None
        release = reader.spec["release"]
        title = data.get("title") or data.get("name")
        if isinstance(title, str) and title.strip():
            reader.notes["front_matter_title"] = title.strip()[:200]
        for key, value in data.items():
            day = dates.parse_when(str(value), reader.hint(element)) \
                if isinstance(value, str | date) else None
            if day is None or day.day is None:
                continue
            if str(key).lower() in GO_LIVE_KEYS and "go_live" not in release:
                release["go_live"] = day.day.isoformat()
            else:
                name = str(key).replace("_", " ").replace("-", " ").capitalize()[:200]
                self._event(reader, name, dates.Span(day, day))
        reader.became(element, "front matter (title and dates)", kind="release")
        return Claim(1, [{"kind": "front_matter", "lines": list(element.lines)}])

    def finish(self, reader) -> None:
        """An event that repeats a milestone of the same day (a summary above a timeline) is
        dropped; its line stays as written."""
        events = reader.notes.get("events", [])
        mine = {id(entry) for _key, entry in events}
        dropped = set()
        for key, entry in events:
            others = [o for part in ("milestones", "phases") for o in reader.spec.get(part, [])
                      if id(o) not in mine and o.get("date", o.get("start")) == entry["date"]]
            if any(_similar(entry["name"], o["name"]) for o in others):
                reader.spec[key].remove(entry)
                dropped.add(entry["uid"])
        for block in reader.blocks:
            if block.get("kind") == "event" and block.get("uid") in dropped:
                block.update(kind="text")
                block.pop("uid")

    def render(self, block: dict, live: dict) -> list[str]:
        return list(block["lines"])


def _clean_name(text: str) -> str:
    text = re.sub(r"\(\s*([^()]*?)[\s:]*\)", r"\1", text)  # "(Go-live: )" -> "Go-live"
    text = re.sub(r"\s+(?:during|from|between)\s*$", "", text.strip())
    return SEPARATORS.sub("", " ".join(text.split())).strip("\"'")[:200]


def _strip_date(text: str, found) -> str:
    before, after = text[:found.start], text[found.end:]
    before = re.sub(r"(?:\*\*|__)?\s*$", "", before)
    after = re.sub(r"^\s*(?:\*\*|__)", "", after)
    after = re.sub(r"^(?:\s*(?:on|by|at|until|is|was))\s*$", "", after)
    before = re.sub(r"\b(?:on|by|at|is|was|as of)\s*$", "", before.rstrip(" *_"))
    return f"{before.strip()} {after.strip()}".strip()


def _in_paragraph(section, index: int) -> bool:
    elements = section.elements
    neighbours = [elements[i] for i in (index - 1, index + 1) if 0 <= i < len(elements)]
    return any(e.kind == "text" for e in neighbours)


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9]+", text.lower()) if len(w) > 2}


def _similar(one: str, other: str) -> bool:
    a, b = _words(one), _words(other)
    return bool(a and b) and len(a & b) * 2 >= min(len(a), len(b))


register_mapper(EventMapper())
