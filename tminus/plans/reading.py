"""Reading a Markdown plan into a draft: the plan's data (spec), its shape (blocks) and a report.

Every line of the document ends up in exactly one block: either a block a mapper made from it
(it became data) or a kept-notes block (verbatim Markdown). The spec holds entries with a `uid`
that blocks point at; applying the spec to a release turns each uid into a record.
"""

import re
from dataclasses import dataclass, field
from datetime import date

from tminus.plans import dates, markdown
from tminus.plans.mapping import Mapper, active_mappers

SPEC_FORMAT = "tminus-plan/1"


def empty_spec() -> dict:
    return {"format": SPEC_FORMAT, "release": {}, "phases": [], "milestones": [],
            "checklists": [], "scope": []}


@dataclass
class Draft:
    spec: dict
    blocks: list[dict]
    warnings: list[dict] = field(default_factory=list)
    report: list[dict] = field(default_factory=list)
    title: str = ""


class Reader:
    """One pass over a document; mappers call back into it to add entries and blocks."""

    def __init__(self, text: str, *, today: date, mappers: list[Mapper] | None = None):
        self.text = text
        self.lines = markdown.split_lines(text)
        self.root = markdown.parse_sections(text)
        self.today = today
        self.years = dates.stated_years(self.lines)
        # "[Test Freeze]: ../phases.md#test-freeze" makes "[Test Freeze]" a link, not a blank.
        self.link_refs = {m.group(1).casefold() for line in self.lines
                          if (m := re.match(r"^ {0,3}\[([^\]]+)\]:[ \t]*\S", line))}
        self.fallback_year = None if self.years else dates.fallback_year(self.lines, today)
        self._guessed_warned = False
        self.mappers = active_mappers() if mappers is None else mappers
        self.spec = empty_spec()
        self.blocks: list[dict] = []
        self.warnings: list[dict] = []
        self.report: list[dict] = []
        self.notes: dict = {}  # scratch space shared by mappers during one read
        self._uids: dict[str, int] = {}

    # ---- called by mappers -----------------------------------------------------------------
    def hint(self, element_or_line=None) -> dates.YearHint:
        """The year a date without one takes at this place: the one the document states
        nearest before it (else after it); none when the document states no year at all."""
        line = element_or_line if isinstance(element_or_line, int) or element_or_line is None \
            else element_or_line.start
        if self.fallback_year is not None:
            return dates.YearHint(self.fallback_year, self.today, guessed=True)
        return dates.YearHint(dates.year_near(self.years, line or 0), self.today)

    @property
    def reference(self) -> dates.YearHint:
        return self.hint(0)

    def placeholder(self, text: str) -> bool:
        """A value still to be filled in ('[Name]', 'TBD', '___'), not a reference link."""
        stripped = text.strip()
        if stripped.startswith("[") and stripped.rstrip("]").lstrip("[").casefold() \
                in self.link_refs:
            return False
        return markdown.is_placeholder(stripped)

    def span(self, text: str, element=None) -> dates.Span | None:
        """A date or range that is the whole text, read at this element's place."""
        return self._checked(dates.parse_span(text, self.hint(element)), element)

    def when(self, text: str, element=None) -> dates.When | None:
        """One date (or T-offset) that is the whole text, read at this element's place."""
        found = dates.parse_when(text, self.hint(element))
        if found is not None:
            self._checked(dates.Span(found, found), element)
        return found

    def find_dates(self, text: str, element=None) -> list[dates.Found]:
        """The dates and ranges written inside a text, read at this element's place."""
        found = dates.find_dates(text, self.hint(element))
        for item in found:
            self._checked(item.span, element)
        return found

    def _checked(self, span, element):
        if span is not None and (span.start.guessed or span.end.guessed) \
                and not self._guessed_warned:
            self._guessed_warned = True
            self.warn(element if element is not None else 0,
                      "The document states no year; dates written without one were taken "
                      f"as the next such day after {self.today.isoformat()}.")
        return span

    def new_uid(self, prefix: str) -> str:
        number = self._uids.get(prefix, 0)
        self._uids[prefix] = number + 1
        return f"{prefix}{number}"

    def add_entry(self, key: str, entry: dict) -> dict:
        self.spec.setdefault(key, []).append(entry)
        return entry

    def warn(self, element_or_line, message: str) -> None:
        line = element_or_line if isinstance(element_or_line, int) else element_or_line.start
        self.warnings.append({"line": line + 1, "message": message})

    def became(self, element, text: str, *, kind: str, count: int = 1) -> None:
        """Note for the report what an element (and `count - 1` after it) turned into."""
        self.report.append({"line": element.start + 1, "source": element.lines[0].strip(),
                            "kind": kind, "became": text})

    # ---- the read ----------------------------------------------------------------------------
    def read(self) -> Draft:
        for mapper in self.mappers:
            prepare = getattr(mapper, "prepare", None)
            if prepare:
                prepare(self)
        for section in self.root.walk():
            if section.heading is not None:
                self._heading(section)
            self._body(section)
        for mapper in self.mappers:
            mapper.finish(self)
        return Draft(spec=self.spec, blocks=_merge_text(self.blocks), warnings=self.warnings,
                     report=self.report, title=self.notes.get("title", ""))

    def _heading(self, section) -> None:
        for mapper in self.mappers:
            blocks = mapper.claim_heading(self, section)
            if blocks is not None:
                self.blocks.extend(blocks)
                return
        self.blocks.append(text_block(section.heading.lines))

    def _body(self, section) -> None:
        index = 0
        while index < len(section.elements):
            claim = self._claim(section, index)
            if claim is None:
                element = section.elements[index]
                self.blocks.append(text_block(element.lines))
                if element.kind != "blank":
                    self.became(element, f"kept as a note of {_where(section)}", kind="note")
                index += 1
                continue
            self.blocks.extend(claim.blocks)
            index += max(claim.count, 1)

    def _claim(self, section, index: int):
        for mapper in self.mappers:
            claim = mapper.claim(self, section, index)
            if claim is not None:
                return claim
        return None


def _where(section) -> str:
    return f"'{markdown.strip_markup(section.title)}'" if section.level else "the preamble"


def text_block(lines: list[str]) -> dict:
    return {"kind": "text", "lines": list(lines)}


def _merge_text(blocks: list[dict]) -> list[dict]:
    merged: list[dict] = []
    for block in blocks:
        if block["kind"] == "text" and merged and merged[-1]["kind"] == "text":
            merged[-1]["lines"].extend(block["lines"])
        else:
            merged.append(block)
    return merged


def read_plan(text: str, *, today: date, mappers: list[Mapper] | None = None) -> Draft:
    """The draft of a Markdown plan: spec, blocks, warnings and the report."""
    return Reader(text, today=today, mappers=mappers).read()


def section_by_line(root, line: int):
    """The section a 0-based line belongs to (for tests and the report)."""
    found = root
    for section in root.walk():
        if section.heading is not None and section.heading.start <= line:
            found = section
    return found
