"""Deployment-day phases ("#### Phase 1: Database Migration (15-30 minutes)" under "Deployment
Execution") and their boxes into the release's runbook.

Each box is a runbook step ("Migration started: `npx prisma migrate deploy`" has its command); a
label such as "**Immediate Checks (5 minutes)**:" groups the steps after it. The export ticks a
step that succeeded in the latest deployment run and fills the phase's Start Time / End Time /
Duration / Status block with that run's times.
"""

import re

from tminus.plans import durations, markdown, semantics
from tminus.plans.mapping import Claim, Mapper, area_ready, procedures, register_mapper
from tminus.plans.mapping.common import label_of, lines_of, marker_of, run_of
from tminus.plans.mapping.runbook_parts import (
    apply_runbook,
    live_runbook,
    render_steps,
    render_times,
    step_value,
)

RUNBOOK_SECTIONS = re.compile(r"deployment execution|runbook|cutover|deployment steps", re.I)
PHASE_TITLE = re.compile(r"^(?P<name>.+?)[ \t]*\((?P<length>[^()]*\d[^()]*)\)[ \t]*:?$")
NUMBERED = re.compile(r"^phase[ \t]+\d+[ \t]*:", re.I)
COMMAND = re.compile(r"^(?P<title>.*?)[ \t]*:[ \t]*`(?P<command>[^`]+)`[ \t]*$")
TIME_KEYS = {"start time", "end time", "duration", "status"}
ROLLOUT_WORDS = re.compile(r"roll-?out|launch|go-?live|release|cut-?over", re.I)


class RunbookMapper(Mapper):
    key = "runbook"
    label = "Deployment-day runbook (runbooks)"
    order = 700
    block_kinds = ("runbook_steps", "runbook_times", "runbook_list")

    def ready(self) -> bool:
        return area_ready("tminus.runbooks.services", "runbook_ensure", "runbook_phase_add",
                          "runbook_phase_update", "runbook_phase_remove", "runbook_step_add",
                          "runbook_step_update", "runbook_step_remove")

    # ---- reading -----------------------------------------------------------------------------
    def claim_heading(self, reader, section):
        step = self._step_heading(reader, section)
        if step is not None:
            return step
        title = markdown.strip_markup(section.title) if section.level else ""
        path = " ".join(section.path()[:-1])
        in_runbook = RUNBOOK_SECTIONS.search(path) or (
            NUMBERED.match(title) and re.search(r"deploy|go-?live", path, re.I))
        if not in_runbook or not any(e.is_checkbox for e in section.elements):
            return None
        match = PHASE_TITLE.match(title)
        low, high = durations.minutes_range(match["length"]) if match else (None, None)
        name = markdown.strip_markup(match["name"]) if match and low else title
        entry = reader.add_entry(self.key, {
            "uid": reader.new_uid("b"), "name": name[:200], "stage": _stage(path + " " + title),
            "expected": [low, high] if low else None, "steps": []})
        section.runbook_entry = entry
        reader.notes["runbook_group"] = ""
        reader.became(section.heading, f"runbook phase '{entry['name']}'", kind="runbook")
        return [{"kind": "text", "lines": list(section.heading.lines)}]

    # ---- procedures written as lists, numbered headings or one step per line ---------------
    def _phase_for(self, reader, section) -> dict:
        phases = reader.notes.setdefault("procedure_phases", {})
        if id(section) not in phases:
            name = semantics.cell_text(section.title) if section.level else \
                (reader.notes.get("title") or "Deployment")
            path = " ".join(section.path())
            phases[id(section)] = reader.add_entry(self.key, {
                "uid": reader.new_uid("b"), "name": name[:200], "stage": _stage(path),
                "expected": None, "steps": []})
        return phases[id(section)]

    def _step_heading(self, reader, section) -> list[dict] | None:
        """'### 1. Prepare your release' under 'How to cut an individual release': a step."""
        title = markdown.strip_markup(section.title) if section.level else ""
        parent = section.parent
        if not (re.match(r"^\d{1,2}[.)][ \t]+\S", title) and parent is not None and parent.level
                and procedures.within(parent, semantics.means_procedure)
                and not procedures.within(section, semantics.means_rollback)):
            return None
        entry = self._phase_for(reader, parent)
        step = {"uid": reader.new_uid("x"), "title": re.sub(r"^\d{1,2}[.)][ \t]+", "",
                                                           title)[:300],
                "command": "", "notes": "", "owner": "", "group": ""}
        entry["steps"].append(step)
        section.procedure_step = True
        reader.became(section.heading, f"runbook step of '{entry['name']}'", kind="runbook")
        return [{"kind": "runbook_list", "uid": entry["uid"], "lines": list(section.heading.lines),
                 "steps": [{"uid": step["uid"], "index": 0, "value": step_value(step)}]}]

    def _procedure(self, reader, section, index: int) -> Claim | None:
        element = section.elements[index]
        timed = element.kind == "item" and bool(procedures.TIMED.match(element.text)) and \
            procedures.within(section, lambda t: bool(ROLLOUT_WORDS.search(t)))
        if any(getattr(node, "procedure_step", False) for node in _ancestors(section)) or \
                procedures.within(section, semantics.means_rollback) or not (
                    timed or procedures.within(section, semantics.means_procedure)):
            return None
        if element.kind == "text" and procedures.heading_means(section, semantics.means_procedure):
            run = run_of(section, index, lambda e: e.kind == "text")
            if len(run) and procedures.sentence_lines(run) and not markdown.fields_in(
                    element.lines[0]):
                steps = [procedures.step_of(_as_item(line)) for e in run for line in e.lines]
                return self._steps_block(reader, section, run, steps)
            return None
        if element.kind != "item" or not procedures.starts_list(section, index):
            return None
        run = procedures.list_run(section, index)
        items = [e for e in run if e.kind == "item" and e.indent == element.indent]
        if items[0].is_checkbox and not procedures.within(section, semantics.names_procedure):
            return None  # boxes under an ordinary heading are a checklist
        says = procedures.heading_means(section, semantics.means_procedure) or bool(
            (label := procedures._label(element)) and semantics.means_procedure(label))
        if not procedures.is_procedure(items, heading_says=says):
            return None
        steps = procedures.steps_of(run)
        return self._steps_block(reader, section, run, steps) if steps else None

    def _steps_block(self, reader, section, run, steps) -> Claim:
        from tminus.plans.mapping.stakeholders import person_entry

        entry = self._phase_for(reader, section)
        lines = lines_of(run)
        block = {"kind": "runbook_list", "uid": entry["uid"], "lines": lines, "steps": []}
        position = 0
        for step in steps:
            line = step.pop("line")
            position = lines.index(line, position) if line in lines[position:] else position
            step["uid"] = reader.new_uid("x")
            entry["steps"].append(step)
            block["steps"].append({"uid": step["uid"], "index": position,
                                   "value": step_value(step)})
            for name in semantics.names_in(step["owner"]):
                person_entry(reader, name, responsible_for=step["title"])
        for element in run:
            if element.kind != "blank":
                reader.became(element, f"runbook step of '{entry['name']}'", kind="runbook")
        return Claim(len(run), [block])

    def claim(self, reader, section, index: int) -> Claim | None:
        entry = getattr(section, "runbook_entry", None)
        if entry is None:
            element = section.elements[index]
            return self._procedure(reader, section, index) if element.kind in (
                "item", "text") else None
        element = section.elements[index]
        if element.is_checkbox:
            return self._steps(reader, section, index, entry)
        if element.kind == "fence" and _time_lines(element):
            return Claim(1, [{"kind": "runbook_times", "uid": entry["uid"],
                              "lines": list(element.lines)}])
        label = label_of(element)
        if label is not None and element.kind == "text":
            reader.notes["runbook_group"] = label
        return None

    def _steps(self, reader, section, index: int, entry: dict) -> Claim:
        run = run_of(section, index, lambda e: e.is_checkbox)
        block = {"kind": "runbook_steps", "uid": entry["uid"], "steps": []}
        for element in run:
            if element.kind == "blank" or not element.text:
                block["steps"].append({"line": element.lines[0]})
                continue
            text = _without_blank(markdown.strip_markup(element.text))
            found = COMMAND.match(element.text)
            step = {"uid": reader.new_uid("x"), "title": (markdown.strip_markup(
                found["title"]) if found else text)[:300],
                "command": found["command"] if found else "",
                "group": reader.notes.get("runbook_group", "")[:200], "done": element.checked}
            entry["steps"].append(step)
            block["steps"].append({"uid": step["uid"], "line": element.lines[0],
                                   "value": step_value(step)})
            reader.became(element, f"runbook step of '{entry['name']}'", kind="runbook")
        reader.notes.setdefault("runbook_blocks", {})[entry["uid"]] = block
        return Claim(len(run), [block])

    def finish(self, reader) -> None:
        for block in reader.notes.get("runbook_blocks", {}).values():
            block["tail"] = True  # steps added in T-Minus follow the phase's last box

    def template_parts(self, parts: dict, release_type: str) -> None:
        parts["runbook"] = {"phases": []}

    # ---- applying, live data, rendering ------------------------------------------------------
    def apply(self, context, entries) -> None:
        apply_runbook(context, entries)

    def load(self, release) -> dict:
        return live_runbook(release)

    def render(self, block: dict, live: dict) -> list[str]:
        if block["kind"] == "runbook_times":
            return render_times(block, live)
        if block["kind"] == "runbook_list":
            return _render_list(block, live)
        return render_steps(block, live)

    def export(self, release, live: dict) -> list[dict]:
        from tminus.plans.document import checkbox
        from tminus.plans.mapping.runbook_parts import DONE_STEPS

        runs = live.get("step_runs", {})

        def step(s) -> dict:
            ran = runs.get(s.pk)
            entry = {"title": s.title, "command": s.command, "group": s.group,
                     **({"owner": s.owner_label} if s.owner_label else {}),
                     **({"notes": s.notes} if s.notes else {})}
            return {**entry, **checkbox(live, ("runbook_steps", "runbook_list"), s.pk,
                                        ran.status in DONE_STEPS if ran else None)}

        return [{"name": phase.name, "stage": phase.stage,
                 "expected": [phase.expected_minutes_min, phase.expected_minutes_max]
                 if phase.expected_minutes_min else None,
                 "steps": [step(s) for s in phase.steps.all()]}
                for phase in live.get("runbook_phases", {}).values()]

    def appendix(self, live: dict, placed: dict, *, standalone: bool) -> list[str]:
        shown = {block_id for block_id in placed.get("runbook_steps", set())}
        phases = [p for pk, p in live.get("runbook_phases", {}).items() if pk not in shown]
        if not phases:
            return []
        level = "##" if standalone else "###"
        lines = ["", f"{level} Deployment Execution"]
        for phase in phases:
            length = _length(phase)
            lines += ["", f"{level}# {phase.name}{f' ({length})' if length else ''}", ""]
            group = ""
            for step in phase.steps.all():
                if step.group and step.group != group:
                    lines += ["", f"**{step.group}**:"]
                    group = step.group
                command = f": `{step.command}`" if step.command else ""
                lines.append(f"- [ ] {step.title}{command}")
        return lines


def _ancestors(section):
    node = section
    while node is not None:
        yield node
        node = node.parent


def _as_item(line: str):
    return markdown.parse_elements(f"- {line.strip()}")[0]


def _render_list(block: dict, live: dict) -> list[str]:
    """The procedure as written; a step renamed in T-Minus is rewritten on its line, a step
    removed in T-Minus leaves its line out."""
    steps = live.get("runbook_steps", {})
    lines = list(block["lines"])
    for entry in block["steps"]:
        if entry.get("id") is None:
            continue
        step = steps.get(entry["id"])
        line = lines[entry["index"]]
        if step is None:
            lines[entry["index"]] = None
        elif step.title != entry["value"]["title"]:
            heading = line.lstrip().startswith("#")
            prefix = line.split(" ", 1)[0] + " " if heading else marker_of(line)
            lines[entry["index"]] = f"{prefix}{step.title}"
    return [line for line in lines if line is not None]


def _without_blank(text: str) -> str:
    """'Commit hash verified: _____' is the step 'Commit hash verified' (the blank is for the
    day itself)."""
    found = markdown.fields_in(text)
    if len(found) == 1 and markdown.is_placeholder(found[0].value):
        return markdown.strip_markup(found[0].key)
    return text


def _stage(text: str) -> str:
    if re.search(r"\bpre[- ]?deploy|before", text, re.I):
        return "pre"
    if re.search(r"post[- ]?deploy|after|monitor", text, re.I):
        return "post"
    return "execution"


def _length(phase) -> str:
    low, high = phase.expected_minutes_min, phase.expected_minutes_max
    if not low:
        return ""
    if high and high != low:
        unit = durations.minutes_text(high).split(" ", 1)[1]
        if durations.minutes_text(low).endswith(unit):
            return f"{durations.minutes_text(low).split(' ')[0]}-{durations.minutes_text(high)}"
        return f"{durations.minutes_text(low)}-{durations.minutes_text(high)}"
    return durations.minutes_text(low)


def _time_lines(element) -> bool:
    keys = {markdown.strip_markup(f.key).lower() for line in element.lines
            for f in markdown.fields_in(line)}
    return bool(keys) and keys <= TIME_KEYS

register_mapper(RunbookMapper())
