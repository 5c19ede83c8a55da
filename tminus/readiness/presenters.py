"""Plain dicts of readiness for the API, the CLI and exports."""

from tminus.people.presenters import person_ref
from tminus.readiness import selectors


def risk_dict(risk) -> dict:
    return {"id": risk.pk, "description": risk.description, "probability": risk.probability,
            "impact": risk.impact, "score": risk.score, "level": risk.level,
            "owner": person_ref(risk.owner), "mitigation": risk.mitigation,
            "status": risk.status, "review_date": risk.review_date,
            "review_offset": risk.review_offset, "revision": risk.revision}


def dependency_dict(dependency, state: dict | None = None) -> dict:
    state = state or selectors.dependency_state(dependency)
    other = dependency.required_release
    return {"id": dependency.pk, "name": dependency.name, "kind": dependency.kind,
            "description": dependency.description, "owner": person_ref(dependency.owner),
            "needed_by": dependency.needed_by, "needed_by_offset": dependency.needed_by_offset,
            "status": dependency.status, "required_release": other.key if other else None,
            **state, "revision": dependency.revision}


def contingency_dict(plan) -> dict:
    return {"id": plan.pk, "label": plan.label, "name": plan.name, "trigger": plan.trigger,
            "steps": plan.steps, "owner": person_ref(plan.owner), "revision": plan.revision}


def vote_dict(vote) -> dict:
    return {"id": vote.pk, "approver": person_ref(vote.approver), "discipline": vote.discipline,
            "vote": vote.vote, "comment": vote.comment, "recorded_at": vote.recorded_at,
            "recorded_by": vote.recorded_by.username if vote.recorded_by else None}


def decision_dict(decision) -> dict | None:
    if decision is None:
        return None
    return {"id": decision.pk, "outcome": decision.outcome, "comment": decision.comment,
            "decided_by": decision.decided_by_label, "decided_at": decision.decided_at,
            "withdrawn_at": decision.withdrawn_at, "criteria": decision.criteria,
            "votes": decision.votes}


def override_dict(override) -> dict | None:
    if override is None:
        return None
    return {"id": override.pk, "reason": override.reason,
            "created_by": override.created_by_label, "created_at": override.created_at}


def gate_dict(status: dict) -> dict:
    return {**status, "decision": decision_dict(status["decision"]),
            "override": override_dict(status["override"])}


def freeze_dict(window) -> dict:
    return {"id": window.pk, "name": window.name,
            "product": window.product.key if window.product else None,
            "starts_at": window.starts_at, "ends_at": window.ends_at, "rrule": window.rrule,
            "reason": window.reason, "revision": window.revision}


def occurrence_dict(occurrence) -> dict:
    window = occurrence.window
    return {"window_id": window.pk, "name": window.name,
            "product": window.product.key if window.product else None,
            "start": occurrence.start, "end": occurrence.end}
