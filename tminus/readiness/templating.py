"""The readiness part of a new release: criteria and contingency plans from its template.

A saved template may carry a "readiness" part:
    {"criteria": [{"kind": "no_open_risk", "params": {"level": "high"}, "label": ""}],
     "contingencies": [{"label": "A", "name": "Delayed go-live", "trigger": "...",
                        "steps": ["..."]}]}
Built-in templates get the defaults for their release type below.
"""

from tminus.core.errors import ValidationFailed
from tminus.readiness import criteria as registry
from tminus.readiness.models import Contingency, Criterion

_CHECKLIST = {"kind": "checklist_complete", "params": {"scope": "before_go_live"}}
_DEPENDENCIES_BY_GO_LIVE = {"kind": "dependencies_met", "params": {"scope": "by_go_live"}}
_DEPENDENCIES_OVERDUE = {"kind": "dependencies_met", "params": {"scope": "overdue"}}


def _no_open_risk(level: str) -> dict:
    return {"kind": "no_open_risk", "params": {"level": level}}


def _signoff(discipline: str) -> dict:
    return {"kind": "signoff_discipline", "params": {"discipline": discipline}}


PLAN_A = {"label": "A", "name": "Delayed go-live",
          "trigger": "Critical issues found in final testing.",
          "steps": ["Reschedule the go-live date", "Communicate the new date to stakeholders",
                    "Address the issues before the new date"]}
PLAN_B = {"label": "B", "name": "Phased rollout",
          "trigger": "Confidence is too low to launch to everyone at once.",
          "steps": ["Deploy to a subset of customers first", "Monitor closely for one week",
                    "Expand to more customers gradually", "Full rollout after two to three weeks"]}
PLAN_C = {"label": "C", "name": "Rollback", "trigger": "Critical issues in production.",
          "steps": ["Execute the rollback procedure immediately", "Restore the previous version",
                    "Investigate the issues before trying again"]}

DEFAULTS = {
    "major": {"criteria": [_CHECKLIST, _no_open_risk("high"), _DEPENDENCIES_BY_GO_LIVE,
                           _signoff("development"), _signoff("qa"), _signoff("operations")],
              "contingencies": [PLAN_A, PLAN_B, PLAN_C]},
    "minor": {"criteria": [_CHECKLIST, _no_open_risk("high"), _DEPENDENCIES_BY_GO_LIVE,
                           _signoff("qa"), _signoff("operations")],
              "contingencies": [PLAN_A, PLAN_C]},
    "patch": {"criteria": [_CHECKLIST, _no_open_risk("critical"), _DEPENDENCIES_OVERDUE,
                           _signoff("qa")],
              "contingencies": [PLAN_C]},
    "hotfix": {"criteria": [_CHECKLIST, _no_open_risk("critical"), _signoff("development")],
               "contingencies": [PLAN_C]},
}


def readiness_template_apply(release, definition: dict) -> None:
    """Create the template's readiness criteria and contingency plans on a new release."""
    spec = definition.get("readiness")
    if spec is None:
        spec = DEFAULTS.get(release.release_type, {})
    Criterion.objects.bulk_create(
        _criterion(release, index, item) for index, item in enumerate(spec.get("criteria", []))
    )
    Contingency.objects.bulk_create(
        Contingency(release=release, order=index, label=plan.get("label", ""), name=plan["name"],
                    trigger=plan["trigger"], steps=list(plan.get("steps", [])))
        for index, plan in enumerate(spec.get("contingencies", []))
    )


def _criterion(release, order: int, item: dict) -> Criterion:
    kind = item.get("kind", "")
    try:
        params = registry.clean_params(kind, item.get("params", {}))
    except (LookupError, ValueError) as error:
        raise ValidationFailed({"readiness": f"Criterion {kind!r}: {error.args[0]}"}) from None
    label = item.get("label") or registry.default_label(kind, params)
    return Criterion(release=release, order=order, kind=kind, params=params, label=label)
