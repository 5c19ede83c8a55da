"""Procedures written as lists: the steps of a deployment, cutover, release or rollback.

Shared by the runbook and rollback mappers. A list is a procedure when it is numbered, when it is
a list of boxes, when the heading right above it names a procedure ("Deploying to staging",
"Executing the release", "Plan" under "Rollback 1"), or when most of its items are instructions
("Deploy to staging", "Check …"). Each top-level item is a step: its text, the command written
with it (a code span or a code block under it), and who does it ("Rachael sends …", "(PM)").
Lists of links, of settings ("Spaces: dev") or of people are not procedures.
"""

import re

from tminus.plans import markdown, semantics
from tminus.plans.mapping.common import run_of

COMMAND = re.compile(r"^(?P<title>.*?)[ \t]*:[ \t]*`(?P<command>[^`]+)`[ \t]*$")
# "Day 1: Launch …", "Day 1 or 2: CAIA releases …", "Step 3: …": a step placed in time.
TIMED = re.compile(r"^(?:\*\*)?(?:day|step|hour|week|t)[ \t]*[+-]?\d+\b[^:]{0,20}:(?:\*\*)?[ \t]*",
                   re.I)
DATED = re.compile(r"^(?:\*\*)?(?:\d{4}[-/]\d|\d{1,2}/\d{1,2}|[A-Z][a-z]{2,8}\.?[ \t]+\d{1,2}\b)")
ORDERED = re.compile(r"^\d{1,9}[.)]$")


def starts_list(section, index: int) -> bool:
    """Whether the item at `index` opens a list (no item at its level or above before it)."""
    element = section.elements[index]
    for before in reversed(section.elements[:index]):
        if before.kind == "blank" or (before.kind in ("text", "fence")
                                      and before.lines[0][:1] in (" ", "\t")):
            continue
        return not (before.kind == "item" and before.indent <= element.indent)
    return True


def list_run(section, index: int) -> list:
    """The list that starts at `index`: its items at that level and everything nested under
    them (deeper items, indented text and code blocks), with the blanks between them."""
    top = section.elements[index].indent

    def belongs(element) -> bool:
        if element.kind == "item":
            return element.indent >= top
        if element.kind in ("fence", "text", "html"):
            return element.lines[0][:1] in (" ", "\t") or (
                element.kind == "fence" and _follows_item(section, element))
        return False

    return run_of(section, index, belongs)


def _follows_item(section, fence) -> bool:
    position = section.elements.index(fence)
    before = [e for e in section.elements[:position] if e.kind != "blank"]
    return bool(before) and before[-1].kind == "item"


def is_procedure(items: list, *, heading_says: bool) -> bool:
    """Whether a list's top-level items are steps."""
    texts = [e.text for e in items]
    if texts and sum(1 for t in texts if TIMED.match(t)) * 2 > len(texts):
        return True  # "Day 1: …", "Day 2: …"
    if not texts or semantics.is_link_list(texts) or semantics.is_field_list(texts):
        return False
    if sum(1 for t in texts if DATED.match(t)) * 2 > len(texts):
        return False  # a schedule of dated events, not steps
    if all(semantics.names_in(t) for t in texts):
        return False
    if ORDERED.match(items[0].marker):
        return True
    instructions = sum(1 for t in texts if semantics.is_imperative(t)
                       or semantics.subject_of(semantics.as_written(t)))
    if all(e.is_checkbox for e in items):  # boxes are a checklist unless they instruct
        return sum(1 for t in texts if semantics.is_imperative(t)) * 2 > len(texts)
    return heading_says or instructions * 2 > len(texts)


def _label(element) -> str | None:
    found = markdown.fields_in(element.lines[0])
    if len(found) == 1 and not found[0].value:
        return markdown.strip_markup(found[0].key)
    return None


def _described(element) -> bool:
    """'**Objective**: Ensure a smooth deployment' describes; it is not a step."""
    found = markdown.fields_in(element.lines[0])
    return (len(found) == 1 and bool(found[0].value) and len(found[0].key.split()) <= 2
            and not semantics.is_imperative(found[0].value))


def steps_of(run: list) -> list[dict]:
    """The steps of a procedure list: one per top-level item, with what is nested under it as
    its notes and a code block under it as its command. A label item ('**Deployment
    Preparation**:') groups the items nested under it, which are the steps."""
    items = [e for e in run if e.kind == "item"]
    top = items[0].indent if items else 0
    steps: list[dict] = []
    group, group_indent = "", None
    for element in run:
        if element.kind == "item" and element.indent == top:
            group, group_indent = "", None
            if (label := _label(element)) is not None:
                group, group_indent = label, -1
                continue
            if _described(element):
                steps.append(None)  # its nested lines are not steps' notes either
                continue
            steps.append(step_of(element))
        elif element.kind == "item" and group and (group_indent in (-1, element.indent)):
            group_indent = element.indent
            steps.append({**step_of(element), "group": group[:200]})
        elif element.kind == "item" and element.is_checkbox and steps and steps[-1] is not None:
            # A box under a step is a step of its own, grouped under it.
            parent = next(s for s in reversed(steps) if s is not None and not s.get("sub"))
            steps.append({**step_of(element), "group": parent["title"][:200], "sub": True})
        elif steps and steps[-1] is not None and element.kind != "blank":
            step = steps[-1]
            if element.kind == "fence" and not step["command"]:
                step["command"] = "\n".join(element.lines[1:-1]).strip()
            else:
                note = "\n".join(line.strip() for line in element.lines)
                step["notes"] = f"{step['notes']}\n{note}".strip()
    return [{k: v for k, v in step.items() if k != "sub"} for step in steps if step is not None]


def step_of(element) -> dict:
    text = semantics.as_written(element.text)
    found = COMMAND.match(element.text)
    title = semantics.as_written(found["title"]) if found else text
    owner = semantics.owner_in(TIMED.sub("", element.text))
    return {"title": (title or text)[:300], "command": found["command"] if found else "",
            "notes": "", "owner": owner.name[:200] if owner else "", "done": element.checked,
            "group": "", "line": element.lines[0]}


def sentence_lines(elements: list) -> bool:
    """A paragraph written one instruction per line (each line a whole sentence)."""
    lines = [line.strip() for e in elements for line in e.lines if line.strip()]
    return bool(lines) and all(line[:1].isupper() and line.endswith((".", "!")) and
                               len(line) <= 200 for line in lines)


def heading_means(section, test) -> bool:
    """Whether the section's own heading says it (or a label right above)."""
    return bool(section.level) and test(markdown.strip_markup(section.title))


def within(section, test) -> bool:
    """Whether the section or a heading above it says it."""
    return any(test(markdown.strip_markup(title)) for title in section.path())
