"""Helpers the area mappers share: runs of elements, matching existing records, table rows."""

import re

from tminus.core.errors import TransitionNotAllowed, ValidationFailed
from tminus.plans import markdown
from tminus.plans.mapping import Mapper


def take(existing: list, matches):
    """Remove and return the first record that matches, or None."""
    for index, record in enumerate(existing):
        if matches(record):
            return existing.pop(index)
    return None


def same(a, b) -> bool:
    return " ".join(str(a or "").split()).casefold() == " ".join(str(b or "").split()).casefold()


def header_index(header: list[str], *names: str) -> int | None:
    """The column whose header starts with one of the names (case-insensitive)."""
    for index, cell in enumerate(header):
        text = markdown.strip_markup(cell).lower()
        if any(text.startswith(name) for name in names):
            return index
    return None


def row_line(cells: list[str]) -> str:
    return "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"


def section_titles(section) -> list[str]:
    return [markdown.strip_markup(title).lower() for title in section.path()]


# ---- runs of elements --------------------------------------------------------------------------

def label_of(element) -> str | None:
    """The label of a line that only announces what follows ('**Topics**:', '- Topics:')."""
    if element.kind not in ("text", "item") or element.is_checkbox:
        return None
    found = markdown.fields_in(element.lines[0])
    if len(found) == 1 and not found[0].value:
        return markdown.strip_markup(found[0].key)
    return None


def run_of(section, start: int, accepts) -> list:
    """The elements from `start` on that `accepts`, with the blank lines between them (never
    trailing blanks)."""
    run, pending = [], []
    for element in section.elements[start:]:
        if element.kind == "blank":
            pending.append(element)
            continue
        if not accepts(element):
            break
        run += [*pending, element]
        pending = []
    return run


def nested_items(section, index: int) -> list:
    """The list items (and blanks between them) indented under the item at `index`."""
    indent = section.elements[index].indent
    return run_of(section, index + 1, lambda e: e.kind == "item" and e.indent > indent)


def items_after(section, index: int) -> list:
    """The plain (unchecked) list items that follow the element at `index`."""
    return run_of(section, index + 1, lambda e: e.kind == "item" and not e.is_checkbox)


def item_text(element) -> str:
    return markdown.strip_markup(element.text if element.kind == "item"
                                 else element.lines[0].strip())


def lines_of(elements) -> list[str]:
    return [line for element in elements for line in element.lines]


def marker_of(line: str) -> str:
    """The indentation and list marker a line starts with ('  - ', '1. '), or ''."""
    match = re.match(r"^([ \t]*(?:[-*+]|\d{1,9}[.)])[ \t]+)", line)
    return match.group(1) if match else line[:len(line) - len(line.lstrip())]


# ---- applying entries through an area's services -----------------------------------------------

def sync(context, entries: list[dict], existing: list, *, noun: str, match, add,
         changes=None, update=None, remove=None) -> None:
    """Match each entry to an existing record (else add one), update what differs, and on an
    update remove the records the plan no longer has. An entry the area refuses is reported as a
    warning and stays as text in the document."""
    existing = list(existing)
    for entry in entries:
        record = take(existing, lambda r, e=entry: match(r, e))
        try:
            if record is None:
                record = add(entry)
                context.change(f"added {noun} '{record}'")
            elif changes is not None and (wanted := changes(record, entry)):
                record = update(record, wanted)
                context.change(f"updated {noun} '{record}'")
        except (ValidationFailed, TransitionNotAllowed) as refused:
            context.warn(f"The {noun} '{_name(entry)}' was not taken: {refused.message} "
                         "It stays as text in the document.")
            continue
        context.records[entry.get("uid") or f"{noun}:{record.pk}"] = record
    if context.prune and remove is not None:
        for record in existing:
            remove(record)
            context.change(f"removed {noun} '{record}'")


def _name(entry: dict) -> str:
    for key in ("name", "title", "text", "question", "role", "subject"):
        if entry.get(key):
            return str(entry[key])[:80]
    return "?"


def differences(record, wanted: dict) -> dict:
    """The fields of `wanted` whose value the record does not have."""
    return {name: value for name, value in wanted.items() if getattr(record, name) != value}


class RecordMapper(Mapper):
    """A mapper whose blocks each show one record: the lines as written while the record still
    holds what they say, rewritten from the record once it changed."""

    live_key = ""

    def current(self, record) -> dict:
        """What a block compares: the record's values as plain JSON."""
        raise NotImplementedError

    def rewrite(self, block: dict, record, live: dict) -> list[str]:
        """The block's lines with the record's live values."""
        raise NotImplementedError

    def resolve(self, block: dict, records: dict) -> None:
        record = records.get(block.get("uid"))
        if record is not None:
            block["value"] = self.current(record)

    def render(self, block: dict, live: dict) -> list[str]:
        if block.get("id") is None:  # the area did not take it: still the document's text
            return list(block["lines"])
        record = live.get(self.live_key, {}).get(block["id"])
        if record is None:  # removed in T-Minus since
            return []
        if self.current(record) == block.get("value"):
            return list(block["lines"])
        return self.rewrite(block, record, live)
