"""Laying out a release's runbook and rollback plan from its template.

A saved template carries them under "runbook" and "rollback_plan" (the shape of defaults.py); a
built-in template gets the defaults for its release type.
"""

from tminus.core.errors import ValidationFailed
from tminus.runbooks.choices import Stage
from tminus.runbooks.defaults import FULL_RUNBOOK, ROLLBACK_PLANS, RUNBOOKS
from tminus.runbooks.models import (
    RollbackPlan,
    RollbackStep,
    Runbook,
    RunbookPhase,
    RunbookStep,
)


def runbook_template_apply(release, definition: dict) -> None:
    """Template applier: give a new release its runbook and rollback plan."""
    release_type = definition.get("release_type") or release.release_type
    runbook_lay_out(release, definition.get("runbook") or RUNBOOKS.get(release_type, FULL_RUNBOOK))
    rollback_plan_lay_out(release, definition.get("rollback_plan")
                          or ROLLBACK_PLANS.get(release_type, ROLLBACK_PLANS["major"]))


def default_runbook_spec(release) -> dict:
    return RUNBOOKS.get(release.release_type, FULL_RUNBOOK)


def default_rollback_spec(release) -> dict:
    return ROLLBACK_PLANS.get(release.release_type, ROLLBACK_PLANS["major"])


def runbook_lay_out(release, spec: dict) -> Runbook:
    """Create the release's runbook with the phases and steps of spec."""
    phases = [_phase_spec(phase, index) for index, phase in enumerate(spec.get("phases", []))]
    runbook = Runbook.objects.create(release=release, notes=spec.get("notes", ""))
    for order, phase in enumerate(phases):
        steps = phase.pop("steps")
        row = RunbookPhase.objects.create(runbook=runbook, order=order, **phase)
        RunbookStep.objects.bulk_create(
            RunbookStep(phase=row, order=index, **step) for index, step in enumerate(steps)
        )
    return runbook


def rollback_plan_lay_out(release, spec: dict) -> RollbackPlan:
    """Create the release's rollback plan from spec."""
    steps = [_step_spec(step, "rollback_plan") for step in spec.get("steps", [])]
    for step in steps:
        step.pop("group")
    plan = RollbackPlan.objects.create(
        release=release,
        immediate_criteria=_texts(spec.get("immediate_criteria", [])),
        consider_criteria=_texts(spec.get("consider_criteria", [])),
        communication=_texts(spec.get("communication", [])),
        estimated_minutes=spec.get("estimated_minutes"),
    )
    RollbackStep.objects.bulk_create(
        RollbackStep(plan=plan, order=index, **step) for index, step in enumerate(steps)
    )
    return plan


def _texts(values) -> list[str]:
    if not isinstance(values, list):
        raise ValidationFailed({"rollback_plan": "Criteria and communication must be lists."})
    return [str(value).strip() for value in values if str(value).strip()]


def _phase_spec(spec: dict, index: int) -> dict:
    if not isinstance(spec, dict) or not str(spec.get("name", "")).strip():
        raise ValidationFailed({"runbook": f"Runbook phase {index + 1} needs a name."})
    stage = spec.get("stage", Stage.EXECUTION)
    if stage not in Stage.values:
        raise ValidationFailed({"runbook": f"Unknown stage {stage!r} in phase {spec['name']!r}; "
                                           f"use one of {', '.join(Stage.values)}."})
    low, high = [*(spec.get("expected") or []), None, None][:2]
    return {
        "name": spec["name"].strip(), "stage": stage,
        "description": spec.get("description", ""),
        "expected_minutes_min": low, "expected_minutes_max": high,
        "steps": [_step_spec(step, "runbook") for step in spec.get("steps", [])],
    }


def _step_spec(spec, field: str) -> dict:
    spec = {"title": spec} if isinstance(spec, str) else spec
    if not isinstance(spec, dict) or not str(spec.get("title", "")).strip():
        raise ValidationFailed({field: "Every step needs a title."})
    return {"title": spec["title"].strip(), "group": spec.get("group", ""),
            "command": spec.get("command", ""), "expected_minutes": spec.get("expected_minutes")}


def runbook_definition(runbook: Runbook | None, plan: RollbackPlan | None) -> dict:
    """A release's runbook and rollback plan in template shape, for saving it as a template."""
    result = {}
    if runbook is not None:
        result["runbook"] = {"phases": [
            {"name": phase.name, "stage": phase.stage, "description": phase.description,
             "expected": [phase.expected_minutes_min, phase.expected_minutes_max],
             "steps": [{"title": s.title, "group": s.group, "command": s.command,
                        "expected_minutes": s.expected_minutes} for s in phase.steps.all()]}
            for phase in runbook.phases.all()
        ]}
    if plan is not None:
        result["rollback_plan"] = {
            "immediate_criteria": plan.immediate_criteria,
            "consider_criteria": plan.consider_criteria,
            "communication": plan.communication,
            "estimated_minutes": plan.estimated_minutes,
            "steps": [{"title": s.title, "command": s.command,
                       "expected_minutes": s.expected_minutes} for s in plan.steps.all()],
        }
    return result
