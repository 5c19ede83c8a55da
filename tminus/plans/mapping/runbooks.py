"""Deployment-day phases ("#### Phase 1: Database Migration (15-30 minutes)" under "Deployment
Execution") and their boxes into the release's runbook.

Each box is a runbook step ("Migration started: `npx prisma migrate deploy`" has its command); a
label such as "**Immediate Checks (5 minutes)**:" groups the steps after it. The export ticks a
step that succeeded in the latest deployment run and fills the phase's Start Time / End Time /
Duration / Status block with that run's times.
"""

import re

from tminus.plans import durations, markdown
from tminus.plans.mapping import Claim, Mapper, area_ready, register_mapper
from tminus.plans.mapping.common import label_of, run_of
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


class RunbookMapper(Mapper):
    key = "runbook"
    label = "Deployment-day runbook (runbooks)"
    order = 700
    block_kinds = ("runbook_steps", "runbook_times")

    def ready(self) -> bool:
        return area_ready("tminus.runbooks.services", "runbook_ensure", "runbook_phase_add",
                          "runbook_phase_update", "runbook_phase_remove", "runbook_step_add",
                          "runbook_step_update", "runbook_step_remove")

    # ---- reading -----------------------------------------------------------------------------
    def claim_heading(self, reader, section):
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

    def claim(self, reader, section, index: int) -> Claim | None:
        entry = getattr(section, "runbook_entry", None)
        if entry is None:
            return None
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
        return render_steps(block, live)

    def export(self, release, live: dict) -> list[dict]:
        return [{"name": phase.name, "stage": phase.stage,
                 "expected": [phase.expected_minutes_min, phase.expected_minutes_max]
                 if phase.expected_minutes_min else None,
                 "steps": [{"title": s.title, "command": s.command, "group": s.group}
                           for s in phase.steps.all()]}
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
