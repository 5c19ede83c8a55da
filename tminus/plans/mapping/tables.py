"""Tables read by their columns.

A table is classified by its header cells and by what its cells hold:

- a release train (a version, quarter or month per row, and dates: Expected / Actual / End of
  Life, Cherry pick deadline / Target date ...): one release per row on the product's roadmap,
  with a milestone per date column (the row's actual, release or target date is its go-live);
- a timeline (What / Who / When, Milestone / Date, Phase / Dates ...): a milestone per row with
  its owner and date, a phase per row with a date range; the row that says the release itself
  ships ("v1.27.0 released", "Launch day", "GA") gives the go-live;
- a task list (Task / Status / Owner, without dates): a checklist of those tasks with their
  status and owner.

Other tables are left to the areas that know them (risks, contacts, on-call, meetings) or kept
as notes. The export rewrites a row's cells once its record changed.
"""

import re
from datetime import date

from tminus.plans import dates, markdown, semantics
from tminus.plans.mapping import Claim, Mapper, register_mapper
from tminus.plans.mapping.common import row_line

RELEASED = re.compile(r"\b(?:released|release day|launch(?:ed)?(?: day)?|go[- ]?live|"
                      r"general availability|ga|shipped)\b", re.I)
PRE_RELEASE = re.compile(r"alpha|beta|\brc\b|-rc|pre-?release|candidate|preview|\.x\b|"
                         r"tentative|to be confirmed|\btbc\b|blog|notes|\bpatch", re.I)
GO_LIVE_COLUMNS = re.compile(r"actual|release date|released|\bga\b|stable|target|launch|"
                             r"go-?live|^date$|^when$", re.I)
PLANNED_COLUMNS = re.compile(r"expected|planned|estimated|scheduled", re.I)
STATUS_WORDS = [(re.compile(r"^(?:done|complete[d]?|finished|closed|shipped|yes|✅)", re.I),
                 "done"),
                (re.compile(r"in[ -]progress|started|ongoing|underway|wip|reviewing", re.I),
                 "in_progress"),
                (re.compile(r"blocked|waiting|on hold|needs", re.I), "blocked"),
                (re.compile(r"not needed|n/a|skipped|won't", re.I), "skipped")]
OWNED_BY = re.compile(r"\bowned by[ \t]+(?P<who>[A-Za-z][\w .&/-]{0,40}?)(?=$|[.,;(])", re.I)


class Table:
    """A table's header, its body rows with their lines, and what its columns hold."""

    def __init__(self, element):
        self.element = element
        self.header = element.rows[0]
        self.kinds = [semantics.column_kind(cell) for cell in self.header]
        self.head_lines: list[str] = []
        self.body: list[tuple[str, list[str]]] = []
        rows = iter(element.rows)
        for line in element.lines:
            if _delimiter(line) or not self.head_lines:
                self.head_lines.append(line)
                if len(self.head_lines) == 1:
                    next(rows)
                continue
            self.body.append((line, next(rows, [])))

    def column(self, *kinds: str) -> int | None:
        return next((i for i, kind in enumerate(self.kinds) if kind in kinds), None)

    def columns(self, *kinds: str) -> list[int]:
        return [i for i, kind in enumerate(self.kinds) if kind in kinds]

    def date_columns(self, reader) -> list[int]:
        """Columns most of whose filled cells hold a date."""
        found = []
        for index in range(len(self.header)):
            cells = [cells[index] for _line, cells in self.body
                     if index < len(cells) and not markdown.is_placeholder(cells[index])]
            dated = sum(1 for cell in cells if reader.find_dates(cell, self.element))
            if cells and dated * 2 >= len(cells) and dated:
                found.append(index)
        return found

    def first_column_keys(self) -> bool:
        """Each row is one release: a version, a quarter or a month."""
        keys = [semantics.cell_text(cells[0]) for _line, cells in self.body if cells and cells[0]]
        return bool(keys) and all(semantics.is_version(k) or semantics.is_period(k)
                                  for k in keys)


def _delimiter(line: str) -> bool:
    return "-" in line and bool(markdown.TABLE_DELIMITER.match(line))


def milestone_kind(name: str) -> str:
    from tminus.plans.mapping.releases import MILESTONE_KINDS

    return next((k for pattern, k in MILESTONE_KINDS if pattern.search(name)), "other")


def _first(reader, cell: str, element):
    found = reader.find_dates(cell, element)
    return found[0].span if found else None


class TableMapper(Mapper):
    key = "tables"
    label = "Tables by their columns (timelines, release trains, task lists)"
    order = 950  # after the areas that know their own tables (risks, contacts, meetings)
    block_kinds = ("timeline_table", "train_table", "task_table")

    def claim(self, reader, section, index: int) -> Claim | None:
        element = section.elements[index]
        if element.kind != "table" or len(element.rows) < 2:
            return None
        table = Table(element)
        date_columns = table.date_columns(reader)
        if date_columns and table.first_column_keys() and (
                table.kinds[0] in ("version", "quarter") or 0 not in date_columns):
            return self._train(reader, section, table, [c for c in date_columns if c])
        what = table.column("what", "stage")
        if what is None and table.kinds[0] is None and 0 not in date_columns:
            what = 0
        if date_columns and what is not None and what not in date_columns:
            return self._timeline(reader, section, table, what, date_columns)
        if what is not None and table.column("status") is not None and not date_columns:
            return self._tasks(reader, section, table, what)
        if not date_columns and table.columns("who") and table.kinds[0] in ("role", "quarter",
                                                                           "version", "stage"):
            return self._roster(reader, table)
        return None

    # ---- timelines ---------------------------------------------------------------------------
    def _timeline(self, reader, section, table: Table, what: int, date_columns: list[int]):
        who = table.column("who")
        block = {"kind": "timeline_table", "head": table.head_lines, "rows": []}
        count = 0
        for line, cells in table.body:
            row = {"line": line}
            block["rows"].append(row)
            name = semantics.as_written(cells[what]) if what < len(cells) else ""
            if not name or reader.placeholder(name):
                continue
            span = next((s for c in date_columns if c < len(cells)
                         if (s := _first(reader, cells[c], table.element))), None)
            owner = cells[who] if who is not None and who < len(cells) else ""
            owner = "" if semantics.is_vague(owner) else semantics.cell_text(owner)
            if span is None and not owner:
                continue
            when_column = next((c for c in date_columns if c < len(cells)
                                and _first(reader, cells[c], table.element)), None)
            row.update(self._row_entry(reader, name[:200], span, owner[:200]),
                       columns={"what": what, "when": when_column, "who": who})
            count += 1
            self._people(reader, owner, name)
            if span is not None and span.start == span.end:
                self._go_live(reader, name, span.start, table.element)
        reader.became(table.element, f"timeline of {count} milestone(s) and phase(s)",
                      kind="milestone")
        return Claim(1, [block])

    @staticmethod
    def _row_entry(reader, name: str, span, owner: str) -> dict:
        if span is not None and span.start != span.end:
            entry = reader.add_entry("phases", {
                "uid": reader.new_uid("p"), "name": name, "start": span.start.as_text(),
                "end": span.end.as_text(), "description": ""})
            return {"uid": entry["uid"], "type": "phase",
                    "value": {"name": name, "start": entry["start"], "end": entry["end"]}}
        entry = reader.add_entry("milestones", {
            "uid": reader.new_uid("m"), "name": name, "kind": milestone_kind(name),
            "date": span.start.as_text() if span else None, "responsible": owner})
        return {"uid": entry["uid"], "type": "milestone",
                "value": {"name": name, "date": entry["date"], "responsible": owner}}

    @staticmethod
    def _go_live(reader, name: str, when, element) -> None:
        release = reader.spec["release"]
        if when.day is None or "go_live" in release or reader.notes.get("table_go_live"):
            return
        if RELEASED.search(name) and not PRE_RELEASE.search(name):
            reader.notes["table_go_live"] = True
            release["go_live"] = when.day.isoformat()
            reader.became(element, f"go-live {release['go_live']} ({name})", kind="release")

    @staticmethod
    def _people(reader, owner: str, task: str) -> None:
        from tminus.plans.mapping.stakeholders import person_entry

        for name in semantics.names_in(owner):
            person_entry(reader, name, responsible_for=task)

    # ---- task lists --------------------------------------------------------------------------
    def _tasks(self, reader, section, table: Table, what: int) -> Claim:
        status, who = table.column("status"), table.column("who")
        title = markdown.strip_markup(section.title) if section.level else "Tasks"
        group = markdown.strip_markup(section.parent.title) if section.parent is not None \
            and section.parent.level > 1 else ""
        entry = reader.add_entry("checklists", {
            "uid": reader.new_uid("s"), "title": (title or "Tasks")[:300], "group": group[:200],
            "due": None, "due_date": None, "owner": None, "items": []})
        block = {"kind": "task_table", "head": table.head_lines, "section": entry["uid"],
                 "rows": []}
        for line, cells in table.body:
            row = {"line": line}
            block["rows"].append(row)
            text = semantics.as_written(cells[what]) if what < len(cells) else ""
            if not text or reader.placeholder(text):
                continue
            state = cells[status] if status is not None and status < len(cells) else ""
            owner = cells[who] if who is not None and who < len(cells) else ""
            if not owner and (found := OWNED_BY.search(state)):
                owner = found["who"]
            owner = "" if semantics.is_vague(owner) else semantics.cell_text(owner)
            item = {"uid": reader.new_uid("i"), "text": text[:500], "status": _status(state),
                    "owner": None, "responsible": owner[:200], "children": []}
            entry["items"].append(item)
            row.update(uid=item["uid"], columns={"status": status, "who": who},
                       value={"text": item["text"], "status": item["status"],
                              "responsible": item["responsible"]})
            self._people(reader, owner, text)
        reader.became(table.element, f"checklist '{entry['title']}' of "
                      f"{len(entry['items'])} task(s)", kind="checklist")
        return Claim(1, [block])

    # ---- rosters -----------------------------------------------------------------------------
    @staticmethod
    def _roster(reader, table: Table) -> Claim | None:
        """Role | Lead | Team members, or Quarter | Release Manager | Fix Lead: the people of the
        release with their role (the row's role, else the column's)."""
        from tminus.plans.mapping.stakeholders import person_entry

        people = 0
        for _line, cells in table.body:
            row_role = semantics.cell_text(cells[0]) if table.kinds[0] == "role" else ""
            for column in table.columns("who"):
                if column >= len(cells):
                    continue
                header = _column_label(table.header[column])
                for name in semantics.names_in(cells[column], lenient=True):
                    title = row_role or header
                    if row_role and header not in ("lead", "leads"):
                        title = f"{row_role} ({header})"
                    person_entry(reader, name, title=title[:200],
                                 responsible_for=semantics.cell_text(cells[0])
                                 if not row_role else "")
                    people += 1
        if not people:
            return None
        reader.became(table.element, f"roster of {people} person(s) of the release",
                      kind="people")
        return Claim(1, [{"kind": "text", "lines": list(table.element.lines)}])

    # ---- release trains ----------------------------------------------------------------------
    def _train(self, reader, section, table: Table, date_columns: list[int]) -> Claim:
        who = table.column("who")
        context = _context_name(section)
        block = {"kind": "train_table", "head": table.head_lines, "rows": []}
        for line, cells in table.body:
            row = {"line": line}
            block["rows"].append(row)
            key = semantics.cell_text(cells[0]).strip("`")
            if not key:
                continue
            owner = cells[who] if who is not None and who < len(cells) else ""
            owner = "" if semantics.is_vague(owner) else semantics.cell_text(owner)
            milestones, go_live = [], None
            for column in date_columns:
                span = _first(reader, cells[column], table.element) if column < len(cells) \
                    else None
                if span is None or span.start.day is None:
                    continue
                label = _column_label(table.header[column])
                milestones.append({"name": f"{key} {label}"[:200], "kind": milestone_kind(label),
                                   "date": span.start.as_text(), "responsible": owner[:200],
                                   "column": column})
            go_live = _train_go_live(table, milestones)
            version = key if semantics.is_version(key) else ""
            entry = reader.add_entry("roadmap", {
                "uid": reader.new_uid("l"), "version": version[:50],
                "title": f"Release {key}" if version else f"{context} {key}".strip(),
                "go_live": go_live, "theme": "", "features": [],
                "milestones": [{k: v for k, v in m.items() if k != "column"}
                               for m in milestones]})
            row.update(uid=entry["uid"], dates={str(m["column"]): m["name"] for m in milestones},
                       value=_train_value(entry))
            self._people(reader, owner, entry["title"])
        reader.became(table.element, f"release train of {len(block['rows'])} release(s) on "
                      "the roadmap", kind="roadmap")
        return Claim(1, [block])

    # ---- applying, rendering -----------------------------------------------------------------
    def apply(self, context, entries) -> None:
        """Nothing of its own: the rows are milestones, phases, checklists and train releases
        that the release and roadmap mappers apply."""

    def load(self, release) -> dict:
        return {}

    def render(self, block: dict, live: dict) -> list[str]:
        lines = list(block["head"])
        for row in block["rows"]:
            lines += _render_row(block["kind"], row, live)
        return lines


def _status(text: str) -> str:
    text = semantics.cell_text(text)
    return next((status for pattern, status in STATUS_WORDS if pattern.search(text)), "todo")


def _context_name(section) -> str:
    title = markdown.strip_markup(section.title) if section.level else ""
    title = re.sub(r"\b(schedule|timeline|calendar|history|dates|table|overview)\b", "", title,
                   flags=re.I)
    return " ".join(title.split())[:150]


def _column_label(cell: str) -> str:
    return semantics.header_text(cell).split("(")[0].strip()


def _train_go_live(table: Table, milestones: list[dict]) -> str | None:
    by_column = {m["column"]: m["date"] for m in milestones}
    for pattern in (GO_LIVE_COLUMNS, PLANNED_COLUMNS):
        for column, day in by_column.items():
            if pattern.search(_column_label(table.header[column])):
                return day
    return None


def _train_value(entry: dict) -> dict:
    return {"go_live": entry["go_live"],
            "milestones": {m["name"]: m["date"] for m in entry["milestones"]}}


# ---- rendering rows with live data -------------------------------------------------------------

def _render_row(kind: str, row: dict, live: dict) -> list[str]:
    if row.get("id") is None:
        return [row["line"]]
    if kind == "train_table":
        release = live.get("train_releases", {}).get(row["id"])
        if release is None:
            return [row["line"]]
        current = {"go_live": release.go_live.isoformat() if release.go_live else None,
                   "milestones": {m.name: m.date.isoformat() if m.date else None
                                  for m in live.get("train_milestones", {}).get(release.pk, [])}}
        if current == row["value"]:
            return [row["line"]]
        cells = markdown.split_cells(row["line"])
        for column, name in row["dates"].items():
            day = current["milestones"].get(name)
            if day and int(column) < len(cells):
                cells[int(column)] = dates.format_like(date.fromisoformat(day),
                                                       semantics.cell_text(cells[int(column)]))
        return [row_line(cells)]
    if kind == "task_table":
        item = live.get("items", {}).get(row["id"])
        if item is None:
            return []
        current = {"text": item.text, "status": item.status, "responsible": item.responsible}
        if current == row["value"]:
            return [row["line"]]
        cells = markdown.split_cells(row["line"])
        status = row["columns"].get("status")
        if status is not None and status < len(cells) and item.status != row["value"]["status"]:
            cells[status] = item.get_status_display()
        who = row["columns"].get("who")
        if who is not None and who < len(cells):
            cells[who] = item.responsible
        return [row_line(cells)]
    record = live.get("milestones" if row["type"] == "milestone" else "phases",
                      {}).get(row["id"])
    if record is None:
        return []
    if row["type"] == "milestone":
        current = {"name": record.name, "date": _day(record.date, record.date_offset),
                   "responsible": record.responsible}
    else:
        current = {"name": record.name, "start": _day(record.start_date, record.start_offset),
                   "end": _day(record.end_date, record.end_offset)}
    if current == row["value"]:
        return [row["line"]]
    return [_rewritten(row, record)]


def _day(day, offset) -> str | None:
    from tminus.plans.mapping.release_parts import when_text

    return when_text(day, offset)


def _rewritten(row: dict, record) -> str:
    cells = markdown.split_cells(row["line"])
    columns = row["columns"]
    what, when, who = columns.get("what"), columns.get("when"), columns.get("who")
    if what is not None and what < len(cells) and record.name != row["value"]["name"]:
        cells[what] = record.name
    if when is not None and when < len(cells):
        sample = semantics.cell_text(cells[when])
        if row["type"] == "milestone" and record.date:
            cells[when] = dates.format_like(record.date, sample)
        elif row["type"] == "phase" and (record.start_date or record.end_date):
            cells[when] = dates.format_span(record.start_date, record.end_date, sample)
    if who is not None and who < len(cells) and row["type"] == "milestone":
        cells[who] = record.responsible
    return row_line(cells)


register_mapper(TableMapper())
