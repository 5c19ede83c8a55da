"""A plan's rollout as Markdown, in the shape of seed 004's rollout sections: per stage its
planning and its results filled in from the data, then the post-launch check-ins.

Used by `tminus rollout report`, `GET /api/v1/rollouts/{key}/report` and the release's
exported plan (`tminus export`), which appends it for every rollout plan of the release.
"""

from tminus.rollouts import checks
from tminus.rollouts.presenters import audience_text, segment_names
from tminus.rollouts.selectors import PlanView


def number_text(value) -> str:
    """Whole numbers with thousands separators, others with four significant digits."""
    if value is None:
        return "unknown"
    if isinstance(value, int) or float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:.4g}"


def _when(moment) -> str:
    return f"{moment:%Y-%m-%d %H:%M} UTC" if moment else "—"


def _iso_when(text: str | None) -> str:
    return text.replace("T", " ")[:16] + " UTC" if text else "—"


def plan_markdown(view: PlanView, heading: str = "###") -> list[str]:
    """The plan's lines of Markdown."""
    plan, names = view.plan, segment_names(view.stages)
    lines = [f"{heading} Staged rollout: {plan.flag.key} in {plan.environment.key}", "",
             f"- Plan: {plan.name} (`{plan.key}`), {plan.get_status_display().lower()}"
             + (f": {plan.status_reason}" if plan.status_reason else ""),
             f"- Started: {_when(plan.started_at)}; completed: {_when(plan.completed_at)}"]
    for trigger in [t.check for t in view.triggers]:
        lines.append(f"- Rollback trigger: {checks.label(trigger)} over "
                     f"{trigger.window_minutes} minutes: {trigger.get_action_display().lower()}")
    for index, stage in enumerate(view.stages):
        lines += ["", f"{heading}# {stage.name}", "",
                  f"- Audience: {audience_text(stage, names)}",
                  f"- Minimum duration: {_duration(stage.min_duration_minutes)}"
                  + (f"; planned start {_when(stage.not_before)}" if stage.not_before else "")
                  + ("; a person approves moving on" if stage.approval_required else "")]
        for criterion in stage.criteria.all():
            lines.append(f"- Success criterion: {checks.label(criterion)}")
        runs = view.runs_of(stage)
        if not runs:
            lines.append("- Results: not reached yet" if index >= plan.stage_index
                         or plan.status == "draft" else "- Results: none recorded")
        for run in runs:
            lines += _run_lines(run, len(runs) > 1)
    for checkin in view.checkins:
        lines += ["", f"{heading}# {checkin.label} post 100% rollout", ""]
        if checkin.taken_at is None:
            lines.append(f"- Due {_when(checkin.due_at)}")
        else:
            lines += _result_lines(checkin.results, "")
    return lines


def _duration(minutes: int) -> str:
    if not minutes:
        return "none"
    if minutes % (60 * 24) == 0:
        return f"{minutes // (60 * 24)} day(s)"
    if minutes % 60 == 0:
        return f"{minutes // 60} hour(s)"
    return f"{minutes} minutes"


def _run_lines(run, numbered: bool) -> list[str]:
    title = f"Results (run {run.attempt})" if numbered else "Results"
    lines = [f"- {title}: {_when(run.started_at)} to {_when(run.ended_at)}"]
    if run.ended_at is None:
        return [*lines, "  - Still running: the numbers are filled in when the stage ends."]
    lines += _result_lines(run.results, "  ")
    for note in run.notes:
        lines.append(f"  - {note['what'].capitalize()} at {_iso_when(note['at'])} by "
                     f"{note['by']}: {note['why']}")
    lines.append(f"  - {run.get_outcome_display()} by {run.ended_by}: {run.reason}")
    return lines


def _result_lines(results: dict, indent: str) -> list[str]:
    if not results:
        return [f"{indent}- No results recorded"]
    lines = [f"{indent}- Number of unique users: {number_text(results.get('unique_users'))}",
             f"{indent}- Exposures: {number_text(results.get('exposures'))}",
             f"{indent}- Metrics at this stage (per the success criteria):"]
    for criterion in results.get("criteria", []):
        if criterion.get("comparison"):
            verdict = {True: "met", False: "NOT met", None: "waiting"}[criterion["met"]]
            lines.append(f"{indent}  - {criterion['label']}: {verdict}. "
                         f"{criterion['comparison']['sentence']}")
            continue
        verdict = {True: "met", False: "NOT met", None: f"unknown: {criterion['why']}"}[
            criterion["met"]]
        unit = "%" if criterion["measure"].startswith("%") else ""
        value = number_text(criterion["value"]) + (unit if criterion["value"] is not None else "")
        lines.append(f"{indent}  - {criterion['label']}: {value} ({verdict})")
    for metric, total in (results.get("metrics") or {}).items():
        lines.append(f"{indent}  - Number of {metric}: {number_text(total)}")
    if results.get("sample_ratio"):
        lines.append(f"{indent}- {results['sample_ratio']['sentence']}")
    errors = results.get("errors") or {}
    logged = ", ".join(f"{metric} {number_text(n)}" for metric, n in errors.items()) or "none"
    lines.append(f"{indent}- Errors logged: {logged}")
    for problem in results.get("problems") or []:
        lines.append(f"{indent}- Could not measure: {problem}")
    return lines
