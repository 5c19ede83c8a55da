"""Reading a Markdown release plan: lines into elements, elements into a tree of headed sections.

Pure Python with no Django import. It never fails on odd input: whatever it does not recognise
is a plain text element, kept verbatim, so a caller can always give every line back.
"""

import re
from dataclasses import dataclass, field

HEADING = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?[ \t]*$")
HEADING_CLOSE = re.compile(r"[ \t]+#+$")
RULE = re.compile(r"^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})(.*)$")
HTML_START = re.compile(
    r"^ {0,3}<(?:[A-Za-z][A-Za-z0-9-]*[\s/>]|[A-Za-z][A-Za-z0-9-]*$|/[A-Za-z]|!--|!|\?)")
ITEM = re.compile(r"^([ \t]*)([-*+]|\d{1,9}[.)])(?:[ \t]+(.*?))?[ \t]*$")
CHECKBOX = re.compile(r"^\[([ xX])\](?:[ \t]+(.*))?$")
TABLE_DELIMITER = re.compile(r"^\s*\|?\s*:?-{1,}:?\s*(?:\|\s*:?-{1,}:?\s*)*\|?\s*$")

BOXES_EMPTY = "☐□"
BOXES_TICKED = "☒☑✓✔✅"


@dataclass
class Element:
    """One block of a document: a heading, a list item, a table, a code block, a line of text."""

    kind: str  # heading, rule, fence, html, table, item, text, blank, front_matter
    start: int  # index of its first line in the document
    lines: list[str]  # the raw lines, verbatim (tabs and trailing spaces kept, no newline)
    text: str = ""  # heading text, item text (marker and box removed), or the stripped line
    level: int = 0  # heading level
    indent: int = 0  # item indentation in columns (a tab counts as four)
    marker: str = ""  # list marker: "-", "*", "+", "1." ...
    checked: bool | None = None  # checkbox state of an item; None when it has no box
    box: str = ""  # the box as written: "[ ]", "[x]" or "[X]"
    info: str = ""  # a fence's info string
    rows: list[list[str]] = field(default_factory=list)  # table cells, header row first

    @property
    def end(self) -> int:
        return self.start + len(self.lines)

    @property
    def is_checkbox(self) -> bool:
        return self.kind == "item" and self.checked is not None


@dataclass
class Section:
    """A heading with the elements under it (up to the next heading) and its sub-sections."""

    title: str
    level: int  # 0 for the part before the first heading
    heading: Element | None = None
    elements: list[Element] = field(default_factory=list)
    children: list["Section"] = field(default_factory=list)
    parent: "Section | None" = field(default=None, repr=False)

    def walk(self):
        """This section and every section under it, in document order."""
        yield self
        for child in self.children:
            yield from child.walk()

    def path(self) -> list[str]:
        """Titles from the top of the document down to this section."""
        titles, node = [], self
        while node is not None and node.level > 0:
            titles.append(node.title)
            node = node.parent
        return titles[::-1]


def split_lines(text: str) -> list[str]:
    """The document's lines with CRLF and CR line ends read as LF."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def indent_width(prefix: str) -> int:
    return len(prefix.expandtabs(4))


SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
FRONT_MATTER_KEY = re.compile(r"^[A-Za-z_][\w-]*[ \t]*:|^[ \t]+|^-[ \t]|^#|^$")


def parse_elements(text: str) -> list[Element]:
    """Every line of the document in exactly one element, in order."""
    lines = split_lines(text)
    elements: list[Element] = []
    index = 0
    if (front := _front_matter(lines)) is not None:
        elements.append(front)
        index = front.end
    while index < len(lines):
        element = _read_element(lines, index)
        if _is_setext(element, lines, elements):
            level = 1 if lines[index + 1].strip().startswith("=") else 2
            element = Element("heading", index, [lines[index]], text=lines[index].strip(),
                              level=level)
            elements.append(element)
            # The underline stays a line of its own, kept as written.
            elements.append(Element("rule", index + 1, [lines[index + 1]],
                                    text=lines[index + 1].strip()))
            index += 2
            continue
        elements.append(element)
        index = element.end
    return elements


def _front_matter(lines: list[str]) -> Element | None:
    """YAML front matter: '---' on the first line, 'key: value' lines, '---' (or '...')."""
    if not lines or lines[0].strip() != "---":
        return None
    for end in range(1, min(len(lines), 200)):
        if lines[end].strip() in ("---", "..."):
            body = lines[1:end]
            if body and any(":" in line for line in body) and all(
                    FRONT_MATTER_KEY.match(line) for line in body):
                return Element("front_matter", 0, lines[:end + 1], text="front matter")
            return None
    return None


def _is_setext(element: Element, lines: list[str], before: list[Element]) -> bool:
    """A one-line paragraph underlined with '===' or '---' is a heading (CommonMark)."""
    index = element.start
    if element.kind != "text" or index + 1 >= len(lines) or not SETEXT.match(lines[index + 1]):
        return False
    return not before or before[-1].kind in ("blank", "heading", "rule", "front_matter")


def _read_element(lines: list[str], index: int) -> Element:
    line = lines[index]
    if not line.strip():
        return Element("blank", index, [line])
    if match := FENCE.match(line):
        return _read_fence(lines, index, match)
    if match := HEADING.match(line):
        text = HEADING_CLOSE.sub("", match.group(2) or "").strip()
        if text == "#" * len(text):
            text = ""
        return Element("heading", index, [line], text=text, level=len(match.group(1)))
    if RULE.match(line):
        return Element("rule", index, [line], text=line.strip())
    if HTML_START.match(line):
        return _read_html(lines, index)
    if _starts_table(lines, index):
        return _read_table(lines, index)
    if match := ITEM.match(line):
        return _item(index, line, match)
    return Element("text", index, [line], text=line.strip())


def _read_fence(lines: list[str], index: int, match: re.Match) -> Element:
    fence = match.group(1)
    closing = re.compile(r"^ {0,3}" + re.escape(fence[0]) + "{" + str(len(fence)) + r",}[ \t]*$")
    end = index + 1
    while end < len(lines) and not closing.match(lines[end]):
        end += 1
    end = min(end + 1, len(lines))
    return Element("fence", index, lines[index:end], info=match.group(2).strip())


def _read_html(lines: list[str], index: int) -> Element:
    if lines[index].lstrip().startswith("<!--"):
        end = index
        while end < len(lines) and "-->" not in lines[end]:
            end += 1
        end = min(end + 1, len(lines))
    else:
        end = index + 1
        while end < len(lines) and lines[end].strip():
            end += 1
    return Element("html", index, lines[index:end], text=lines[index].strip())


def _is_table_row(line: str) -> bool:
    stripped = line.strip()
    return stripped.startswith("|") and len(stripped) > 1


def _starts_table(lines: list[str], index: int) -> bool:
    line = lines[index]
    if _is_table_row(line):
        return True
    # A table may leave out its outer pipes: a header row, then a delimiter row.
    return ("|" in line and index + 1 < len(lines)
            and "-" in lines[index + 1] and bool(TABLE_DELIMITER.match(lines[index + 1])))


def _read_table(lines: list[str], index: int) -> Element:
    end = index + 1
    while end < len(lines) and lines[end].strip() and "|" in lines[end]:
        end += 1
    raw = lines[index:end]
    rows = [split_cells(row) for row in raw if not _is_delimiter(row)]
    width = max((len(row) for row in rows), default=0)
    rows = [row + [""] * (width - len(row)) for row in rows]
    return Element("table", index, raw, rows=rows, text=raw[0].strip())


def _is_delimiter(row: str) -> bool:
    return "-" in row and bool(TABLE_DELIMITER.match(row))


def split_cells(row: str) -> list[str]:
    """The cells of a table row; an escaped pipe stays in its cell."""
    inner = row.strip()
    if inner.startswith("|"):
        inner = inner[1:]
    if inner.endswith("|") and not inner.endswith("\\|"):
        inner = inner[:-1]
    cells = re.split(r"(?<!\\)\|", inner)
    return [cell.strip().replace("\\|", "|") for cell in cells]


def _item(index: int, line: str, match: re.Match) -> Element:
    prefix, marker, rest = match.group(1), match.group(2), match.group(3) or ""
    element = Element("item", index, [line], text=rest.strip(), indent=indent_width(prefix),
                      marker=marker)
    if box := CHECKBOX.match(rest):
        element.checked = box.group(1) in "xX"
        element.box = f"[{box.group(1)}]"
        element.text = (box.group(2) or "").strip()
    return element


def parse_sections(text: str) -> Section:
    """The document as a tree: the part before the first heading is the root's own elements."""
    root = Section(title="", level=0)
    stack = [root]
    for element in parse_elements(text):
        if element.kind != "heading":
            stack[-1].elements.append(element)
            continue
        while stack[-1].level >= element.level:
            stack.pop()
        section = Section(title=element.text, level=element.level, heading=element,
                          parent=stack[-1])
        stack[-1].children.append(section)
        stack.append(section)
    return root


# ---- Fields: "Key: value", "**Key**: value", "**Key:** value", several on one line -------------

@dataclass(frozen=True)
class FieldValue:
    """One "key: value" on a line, with where its value sits so it can be rewritten in place."""

    key: str
    value: str
    value_start: int
    value_end: int


_BOLD_KEY = re.compile(r"\*\*(?P<key>[^*\n]+?)\*\*[ \t]*:[ \t]*|\*\*(?P<key2>[^*\n]+?):\*\*[ \t]*")
_PLAIN_KEY = re.compile(r"^(?P<key>[A-Za-z0-9][^:*|\[\]\n]{0,60}?)[ \t]*:(?:[ \t]+|$)")
_ITEM_PREFIX = re.compile(r"^[ \t]*(?:(?:[-*+]|\d{1,9}[.)])[ \t]+)?")


def fields_in(line: str, *, plain: bool = True) -> list[FieldValue]:
    """The key/value pairs written on one line; an empty list when it holds none.

    Bold keys may repeat on a line ("**Responsible**: ___ **Due Date**: ___"); a plain key
    ("Release Date: 2024-12-05") counts only once, at the start of the line or after a list marker,
    and only when `plain` is true and the key is short.
    """
    start = _ITEM_PREFIX.match(line).end()
    bold = list(_BOLD_KEY.finditer(line, start))
    if bold and bold[0].start() == start:
        return _bold_fields(line, bold)
    if not plain:
        return []
    match = _PLAIN_KEY.match(line[start:])
    if not match or len(match.group("key").split()) > 6:
        return []
    value_start = start + match.end()
    value = line[value_start:].rstrip()
    return [FieldValue(match.group("key").strip(), value.strip(),
                       value_start + (len(value) - len(value.lstrip())), value_start + len(value))]


def _bold_fields(line: str, matches: list[re.Match]) -> list[FieldValue]:
    found = []
    for index, match in enumerate(matches):
        end = matches[index + 1].start() if index + 1 < len(matches) else len(line)
        raw = line[match.end():end]
        value = raw.strip()
        value_start = match.end() + (len(raw) - len(raw.lstrip()))
        key = (match.group("key") or match.group("key2")).strip()
        found.append(FieldValue(key, value, value_start, value_start + len(value)))
    return found


def replace_values(line: str, replacements: dict[int, str], found: list[FieldValue]) -> str:
    """The line with the values at the given positions (indexes into `found`) replaced."""
    for index in sorted(replacements, reverse=True):
        value = found[index]
        line = line[:value.value_start] + replacements[index] + line[value.value_end:]
    return line


_CHOICE = re.compile(r"([^☐□☒☑✓✔✅]*?)[ \t]*([☐□☒☑✓✔✅])")


def choices_in(value: str) -> list[tuple[str, bool]] | None:
    """'Go ☐ No-Go ☒' as [("Go", False), ("No-Go", True)]; None when the value has no boxes."""
    if not any(box in value for box in BOXES_EMPTY + BOXES_TICKED):
        return None
    found = [(label.strip(), box in BOXES_TICKED) for label, box in _CHOICE.findall(value)]
    return found or None


_PLACEHOLDER = re.compile(
    r"^(?:_+|\.{3,}|-+|[\u2013\u2014]|\[[^\]]*\]|tbd|tba|n/?a|none|to be determined|\?+)$",
    re.IGNORECASE,
)


def is_placeholder(value: str) -> bool:
    """A value still to be filled in: blank, underscores, [Name], TBD, N/A."""
    value = value.strip()
    return not value or bool(_PLACEHOLDER.match(value))


def strip_markup(text: str) -> str:
    """Heading or label text without bold/italic markers and a trailing colon."""
    text = re.sub(r"(\*\*|__)(.+?)\1", r"\2", text)
    text = re.sub(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])", r"\1", text)
    return text.strip().rstrip(":").strip()
