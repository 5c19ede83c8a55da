"""Plain dicts of deployment day for the API, the live page and exports."""

from tminus.runbooks import selectors
from tminus.runbooks.durations import expected_text
from tminus.runbooks.models import (
    Rollback,
    RollbackPlan,
    Runbook,
    RunbookPhase,
    RunbookRun,
    RunbookStep,
    StepRun,
)


def _owner(row) -> dict:
    return {
        "owner": row.owner_label or None,
        "owner_person_id": row.owner_person_id,
        "owner_user": row.owner_user.username if row.owner_user_id else None,
    }


def step_dict(step: RunbookStep) -> dict:
    return {
        "id": step.pk, "phase_id": step.phase_id, "order": step.order, "title": step.title,
        "group": step.group, "command": step.command, "expected_minutes": step.expected_minutes,
        "notes": step.notes, **_owner(step), "revision": step.revision,
    }


def phase_dict(phase: RunbookPhase) -> dict:
    return {
        "id": phase.pk, "order": phase.order, "name": phase.name, "stage": phase.stage,
        "description": phase.description, "expected_minutes_min": phase.expected_minutes_min,
        "expected_minutes_max": phase.expected_minutes_max, **_owner(phase),
        "revision": phase.revision, "steps": [step_dict(step) for step in phase.steps.all()],
    }


def runbook_dict(runbook: Runbook) -> dict:
    """A runbook from selectors.runbook_for (phases and steps prefetched)."""
    return {"release": runbook.release.key, "notes": runbook.notes,
            "phases": [phase_dict(phase) for phase in runbook.phases.all()]}


def step_run_dict(step: StepRun) -> dict:
    return {
        "id": step.pk, "order": step.order, "title": step.title, "group": step.group,
        "command": step.command, "expected_minutes": step.expected_minutes,
        "owner": step.owner_label or None, "status": step.status,
        "status_label": step.get_status_display(), "started_at": step.started_at,
        "finished_at": step.finished_at,
        "duration_seconds": step.duration_seconds,
        "started_by": step.started_by_label or None, "finished_by": step.finished_by_label or None,
        "notes": step.notes,
    }


def run_summary(run: RunbookRun) -> dict:
    return {
        "release": run.release.key, "number": run.number, "environment": run.environment,
        "status": run.status, "status_label": run.get_status_display(),
        "started_at": run.started_at, "finished_at": run.finished_at,
        "duration_seconds": run.duration_seconds,
        "started_by": run.started_by_label, "finished_by": run.finished_by_label or None,
        "interface": run.interface, "failure_reason": run.failure_reason,
        "freeze_override_reason": run.freeze_override_reason, "notes": run.notes,
    }


def run_list_dict(run: RunbookRun) -> dict:
    """A run from selectors.runs_for (with step counts)."""
    return {**run_summary(run), "steps_total": run.step_total, "steps_ended": run.step_ended,
            "steps_failed": run.step_failed}


def run_detail(view: selectors.RunView) -> dict:
    """A run with its phases (status, times and duration derived from steps) and steps."""
    return {
        **run_summary(view.run), "steps_total": view.total, "steps_ended": view.ended,
        "steps_failed": view.failed, "percent": view.percent, "is_latest": view.is_latest,
        "phases": [
            {"id": p.phase.pk, "name": p.phase.name, "stage": p.phase.stage,
             "owner": p.phase.owner_label or None,
             "expected": expected_text(p.phase.expected_minutes_min,
                                       p.phase.expected_minutes_max),
             "status": p.status, "status_label": p.status_label, "started_at": p.started_at,
             "finished_at": p.finished_at, "duration_seconds": p.duration_seconds,
             "steps": [step_run_dict(step) for step in p.steps]}
            for p in view.phases
        ],
    }


def rollback_step_dict(step) -> dict:
    return {"id": step.pk, "order": step.order, "title": step.title, "command": step.command,
            "expected_minutes": step.expected_minutes, **_owner(step),
            "revision": step.revision}


def rollback_plan_dict(plan: RollbackPlan) -> dict:
    """A plan from selectors.rollback_plan_for (steps and team prefetched)."""
    return {
        "release": plan.release.key, "immediate_criteria": plan.immediate_criteria,
        "consider_criteria": plan.consider_criteria, "communication": plan.communication,
        "estimated_minutes": plan.estimated_minutes, "revision": plan.revision,
        "steps": [rollback_step_dict(step) for step in plan.steps.all()],
        "team": [team_member_dict(member) for member in plan.team.all()],
    }


def team_member_dict(member) -> dict:
    person = member.person
    return {"id": member.pk, "person_id": person.pk, "name": person.name, "role": member.role,
            "email": person.email, "phone": person.phone}


def rollback_dict(rollback: Rollback) -> dict:
    return {
        "id": rollback.pk, "release": rollback.release.key,
        "run": rollback.run.number if rollback.run_id else None,
        "from_status": rollback.from_status, "reason": rollback.reason,
        "criterion": rollback.criterion, "steps": rollback.steps, "notes": rollback.notes,
        "executed_at": rollback.executed_at, "executed_by": rollback.executed_by_label,
        "interface": rollback.interface,
    }
