"""Plain dicts of plans for the API, the live page's JSON and the reports."""

from tminus.flags.models import Segment
from tminus.rollouts import checks
from tminus.rollouts.definition import duration_text
from tminus.rollouts.selectors import CheckView, PlanView


def _iso(moment):
    return moment.isoformat() if moment else None


def audience_text(stage, segment_names: dict[int, str] | None = None) -> str:
    """'3 named users: mike.king, ...', '10% of users', 'segment Staff'."""
    if stage.percentage is not None:
        return f"{stage.percentage}% of users"
    if stage.user_ids:
        shown = ", ".join(stage.user_ids[:5]) + (" …" if len(stage.user_ids) > 5 else "")
        count = len(stage.user_ids)
        return f"{count} named user{'s' if count != 1 else ''}: {shown}"
    names = segment_names or {}
    return "segment " + ", ".join(names.get(i, f"#{i}") for i in stage.segment_ids)


def segment_names(stages) -> dict[int, str]:
    ids = {i for stage in stages for i in stage.segment_ids}
    return dict(Segment.objects.filter(pk__in=ids).values_list("pk", "name")) if ids else {}


def plan_summary(plan, stage=None) -> dict:
    """A plan in a list: where it is and how it is doing."""
    return {
        "key": plan.key, "name": plan.name, "release": plan.release.key,
        "flag": plan.flag.key, "environment": plan.environment.key,
        "status": plan.status, "status_label": plan.get_status_display(),
        "status_reason": plan.status_reason, "stage_index": plan.stage_index,
        "stage": stage.name if stage else None,
        "percentage": stage.percentage if stage else None,
        "step": plan.step, "revision": plan.revision,
        "owner": plan.owner.username if plan.owner else None,
        "started_at": _iso(plan.started_at), "completed_at": _iso(plan.completed_at),
    }


def check_dict(view: CheckView) -> dict:
    check, latest = view.check, view.latest
    return {
        "id": check.pk, "kind": view.kind, "label": checks.label(check),
        "measure": checks.measure_of(check).describe(), "comparator": check.comparator,
        "threshold": check.threshold, "min_sample": check.min_sample,
        "window_minutes": getattr(check, "window_minutes", None),
        "action": getattr(check, "action", None),
        "value": latest.value if latest else None,
        "sample": latest.sample if latest else None,
        "met": latest.met if latest else None,
        "why": latest.error if latest else "not checked yet",
        "checked_minute": _iso(latest.minute) if latest else None,
        **(_comparison_dict(check, latest, view.history) if getattr(check, "compare", False)
           else {}),
    }


def _comparison_dict(check, latest, history) -> dict:
    """A comparing criterion: its settings, the last interval and the interval over time."""
    return {
        "compare": "control", "margin": check.threshold, "confidence": check.confidence,
        "on_regression": check.on_regression,
        "low": latest.low if latest else None, "high": latest.high if latest else None,
        "control_sample": latest.control_sample if latest else None,
        "treatment_users": latest.treatment_users if latest else None,
        "control_users": latest.control_users if latest else None,
        "verdict": latest.verdict if latest else "",
        "history": [{"minute": _iso(r.minute), "difference": r.value, "low": r.low,
                     "high": r.high, "verdict": r.verdict} for r in history],
    }


def run_dict(run) -> dict:
    return {"stage": run.stage.name, "attempt": run.attempt, "started_at": _iso(run.started_at),
            "ended_at": _iso(run.ended_at), "outcome": run.outcome, "reason": run.reason,
            "ended_by": run.ended_by, "results": run.results, "notes": run.notes}


def stage_dict(view: PlanView, index: int, stage, names: dict) -> dict:
    plan = view.plan
    if plan.status == "draft" or index > plan.stage_index:
        state = "upcoming"
    elif index < plan.stage_index or plan.status == "completed":
        state = "done"
    else:
        state = "current"
    return {"name": stage.name, "order": stage.order, "state": state,
            "audience": audience_text(stage, names), "percentage": stage.percentage,
            "min_duration": duration_text(stage.min_duration_minutes),
            "not_before": _iso(stage.not_before), "approval": stage.approval_required,
            "criteria": [checks.label(c) for c in stage.criteria.all()],
            "runs": [run_dict(run) for run in view.runs_of(stage)]}


def timeline_dict(entry) -> dict:
    return {"at": _iso(entry.at), "moment": entry.moment, "label": entry.get_moment_display(),
            "stage": entry.stage_name, "by": entry.actor_label, "interface": entry.interface,
            "reason": entry.reason, "data": entry.data}


def checkin_dict(checkin) -> dict:
    return {"label": checkin.label, "days": checkin.days, "due_at": _iso(checkin.due_at),
            "taken_at": _iso(checkin.taken_at), "results": checkin.results}


def plan_detail(view: PlanView, definition: dict) -> dict:
    """A plan with its definition, stages and their runs, checks, check-ins and timeline."""
    names = segment_names(view.stages)
    return {
        **plan_summary(view.plan, view.stage),
        "definition": definition,
        "stages": [stage_dict(view, i, s, names) for i, s in enumerate(view.stages)],
        "criteria": [check_dict(c) for c in view.criteria],
        "triggers": [check_dict(t) for t in view.triggers],
        "sample_ratio": _sample_ratio(view),
        "checkins": [checkin_dict(c) for c in view.checkins],
        "timeline": [timeline_dict(e) for e in view.timeline],
    }


def _sample_ratio(view: PlanView) -> dict | None:
    from tminus.rollouts.selectors import sample_ratio_now

    found = sample_ratio_now(view)
    return found.as_dict() if found else None
