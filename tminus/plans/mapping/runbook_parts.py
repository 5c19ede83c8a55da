"""Applying and rendering for the runbook mapper."""

from django.utils import timezone

from tminus.plans import markdown
from tminus.plans.mapping.common import differences, marker_of, same, sync

DONE_STEPS = ("succeeded", "skipped")
STATUS_WORDS = {"success": ("success", "complete", "completed", "done", "ok"),
                "failed": ("failed", "failure", "issues", "error")}


def step_value(step: dict) -> dict:
    return {"title": step["title"], "command": step.get("command", "")}


# ---- applying ----------------------------------------------------------------------------------

def _phase_values(entry: dict) -> dict:
    low, high = [*(entry.get("expected") or []), None, None][:2]
    return {"name": str(entry.get("name") or ""), "stage": entry.get("stage") or "execution",
            "expected_minutes_min": low, "expected_minutes_max": high}


def _step_values(entry: dict) -> dict:
    return {"title": str(entry.get("title") or "")[:300], "command": entry.get("command") or "",
            "group": str(entry.get("group") or "")[:200], "notes": entry.get("notes") or "",
            "owner_name": str(entry.get("owner") or "")[:200]}


def apply_runbook(context, entries: list[dict]) -> None:
    """The runbook's phases and steps as the plan has them, through the runbook services."""
    from tminus.runbooks import services

    if not entries and not context.prune:
        return
    runbook = services.runbook_ensure(release=context.release, actor=context.actor)
    sync(context, entries, runbook.phases.all(), noun="runbook phase",
         match=lambda phase, e: same(phase.name, e.get("name")),
         add=lambda e: services.runbook_phase_add(runbook=runbook, actor=context.actor,
                                                  **_phase_values(e)),
         changes=lambda phase, e: differences(phase, {
             k: v for k, v in _phase_values(e).items() if k != "name"}),
         update=lambda phase, changes: services.runbook_phase_update(
             phase=phase, revision=None, changes=changes, actor=context.actor),
         remove=lambda phase: services.runbook_phase_remove(phase=phase, actor=context.actor))
    for entry in entries:
        phase = context.records.get(entry.get("uid"))
        if phase is None:
            phase = runbook.phases.filter(name__iexact=entry.get("name", "")).first()
        if phase is not None:
            _apply_steps(context, services, phase, entry.get("steps") or [])


def _apply_steps(context, services, phase, steps: list[dict]) -> None:
    sync(context, steps, phase.steps.all(), noun="runbook step",
         match=lambda step, e: same(step.title, e.get("title")),
         add=lambda e: services.runbook_step_add(phase=phase, actor=context.actor,
                                                 **_step_values(e)),
         changes=lambda step, e: differences(step, {k: v for k, v in _step_values(e).items()
                                                    if k != "title"}),
         update=lambda step, changes: services.runbook_step_update(
             step=step, revision=None, changes=changes, actor=context.actor),
         remove=lambda step: services.runbook_step_remove(step=step, actor=context.actor))


# ---- live data ---------------------------------------------------------------------------------

def live_runbook(release) -> dict:
    """The runbook's phases and steps, and the latest run's steps and phase times."""
    from tminus.runbooks.selectors import current_run, run_view, runbook_for

    runbook = runbook_for(release)
    phases = {p.pk: p for p in runbook.phases.all()} if runbook else {}
    steps = {s.pk: s for p in phases.values() for s in p.steps.all()}
    run = current_run(release)
    view = run_view(run) if run is not None else None
    step_runs = {s.step_id: s for p in view.phases for s in p.steps} if view else {}
    phase_runs = {p.phase.phase_id: p for p in view.phases} if view else {}
    return {"runbook_phases": phases, "runbook_steps": steps, "runbook_run": run,
            "step_runs": step_runs, "phase_runs": phase_runs}


# ---- rendering ---------------------------------------------------------------------------------

def render_steps(block: dict, live: dict) -> list[str]:
    steps, runs = live.get("runbook_steps", {}), live.get("step_runs", {})
    has_run = live.get("runbook_run") is not None
    # A phase's steps may be split in groups (one block each); the last group adds the steps
    # added in T-Minus, never those an earlier group of the phase already showed.
    shown = live.setdefault("runbook_steps_shown", set())
    shown.update(e.get("id") for e in block["steps"])
    lines, last = [], "- [ ] "
    for entry in block["steps"]:
        step = steps.get(entry.get("id"))
        if "uid" not in entry or (entry.get("id") is None):
            lines.append(entry["line"])
            continue
        if step is None:
            continue
        last = entry["line"]
        same_text = {"title": step.title, "command": step.command} == entry["value"]
        if same_text and not has_run:
            lines.append(entry["line"])
        else:
            lines.append(_step_line(entry["line"], step, runs.get(step.pk), has_run))
    if block.get("tail"):
        phase = live.get("runbook_phases", {}).get(block.get("id"))
        for step in phase.steps.all() if phase is not None else []:
            if step.pk not in shown:
                lines.append(_step_line(last, step, runs.get(step.pk), has_run))
    return lines


def _step_line(line: str, step, step_run, has_run: bool) -> str:
    stripped = line.lstrip()
    box = stripped[2:5] if stripped[2:3] == "[" else "[ ]"
    if has_run:
        box = "[x]" if step_run is not None and step_run.status in DONE_STEPS else "[ ]"
    command = f": `{step.command}`" if step.command else ""
    suffix = ""
    if step_run is not None and step_run.status in ("failed", "skipped"):
        suffix = f" \u2014 {step_run.get_status_display().lower()}"
    return f"{marker_of(line)}{box} {step.title}{command}{suffix}"


def render_times(block: dict, live: dict) -> list[str]:
    """The phase's Start Time / End Time / Duration / Status from the latest run."""
    view = live.get("phase_runs", {}).get(block.get("id"))
    if view is None:
        return list(block["lines"])
    values = {"start time": _clock(view.started_at), "end time": _clock(view.finished_at),
              "duration": _minutes(view.duration_seconds)}
    lines = []
    for line in block["lines"]:
        found = markdown.fields_in(line)
        replacements = {}
        for index, field in enumerate(found):
            key = markdown.strip_markup(field.key).lower()
            if values.get(key):
                replacements[index] = values[key]
            elif key == "status" and view.status in STATUS_WORDS:
                replacements[index] = _tick(field.value, view.status)
        lines.append(markdown.replace_values(line, replacements, found))
    return lines


def _clock(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def _minutes(seconds: int | None) -> str:
    return f"{round(seconds / 60)} minutes" if seconds is not None else ""


def _tick(value: str, status: str) -> str:
    choices = markdown.choices_in(value)
    if not choices:
        return status.title()
    words = STATUS_WORDS[status]
    return " ".join(f"{label} {'☒' if label.lower() in words else '☐'}"
                    for label, _ticked in choices)
