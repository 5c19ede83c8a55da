"""JSON endpoints for rollout plans: define them, follow them, and steer them."""

from django.http import HttpResponse
from ninja import Query, Router, Schema, Status

from tminus.accounts.roles import CONTRIBUTE, MANAGE, VIEW
from tminus.core.api import api_actor, edit_revision
from tminus.core.errors import NotFound, ValidationFailed
from tminus.releases.selectors import release_get
from tminus.rollouts import presenters, selectors, services
from tminus.rollouts.report import plan_markdown
from tminus.rollouts.schemas import (
    ControlIn,
    DefinitionIn,
    PlanIn,
    PlanOut,
    PlanPage,
    RolloutTemplateOut,
)
from tminus.rollouts.templates_catalog import template_list

router = Router(tags=["rollouts"])
# Stopping is open to contributors; starting, advancing and resuming need a release manager.
CONTROLS = {
    "start": (services.rollout_start, MANAGE),
    "advance": (services.rollout_advance, MANAGE),
    "resume": (services.rollout_resume, MANAGE),
    "pause": (services.rollout_pause, CONTRIBUTE),
    "rollback": (services.rollout_rollback, CONTRIBUTE),
}


class PlanFilter(Schema):
    release: str = ""
    status: str = ""
    flag: str = ""
    limit: int = 100
    offset: int = 0


def _detail(key: str) -> dict:
    plan = selectors.plan_get(key)
    return presenters.plan_detail(selectors.plan_view(plan), services.plan_definition(plan))


@router.get("/rollout-templates", response=list[RolloutTemplateOut])
def template_catalog(request):
    api_actor(request, VIEW)
    return [{"key": t.key, "name": t.name, "description": t.description}
            for t in template_list()]


@router.get("/rollouts", response=PlanPage)
def plan_list(request, filters: Query[PlanFilter]):
    api_actor(request, VIEW)
    release = release_get(filters.release) if filters.release else None
    found = selectors.plans(release=release, status=filters.status, flag=filters.flag)
    limit = max(1, min(filters.limit, 500))
    page = found[max(filters.offset, 0):max(filters.offset, 0) + limit]
    return {"count": found.count(),
            "items": [presenters.plan_summary(p, selectors.current_stage(p)) for p in page]}


@router.post("/rollouts", response={201: PlanOut})
def plan_create(request, data: PlanIn):
    actor = api_actor(request, MANAGE)
    try:
        release = release_get(data.release)
    except NotFound:
        raise ValidationFailed({"release": f"No release {data.release!r}."}) from None
    plan = services.rollout_plan_create(
        release=release, flag=data.flag, environment=data.environment, actor=actor,
        definition_data=data.definition, template=data.template,
        template_options=data.template_options.dict() if data.definition is None else None,
        key=data.key)
    return Status(201, _detail(plan.key))


@router.get("/rollouts/{key}", response=PlanOut)
def plan_detail(request, key: str):
    api_actor(request, VIEW)
    return _detail(key)


@router.put("/rollouts/{key}/definition", response=PlanOut)
def plan_update(request, key: str, data: DefinitionIn):
    actor = api_actor(request, MANAGE)
    services.rollout_plan_update(plan=selectors.plan_get(key), definition_data=data.definition,
                                 revision=edit_revision(request, data.revision), actor=actor)
    return _detail(key)


@router.get("/rollouts/{key}/report", response={200: str})
def plan_report(request, key: str):
    api_actor(request, VIEW)
    view = selectors.plan_view(selectors.plan_get(key), timeline_limit=0)
    return HttpResponse("\n".join(plan_markdown(view, "#")) + "\n",
                        content_type="text/markdown; charset=utf-8")


@router.post("/rollouts/{key}/{action}", response=PlanOut)
def plan_control(request, key: str, action: str, data: ControlIn):
    if action not in CONTROLS:
        api_actor(request, VIEW)
        raise NotFound(f"No control {action!r}; use {', '.join(CONTROLS)}.")
    control, capability = CONTROLS[action]
    actor = api_actor(request, capability)
    control(plan=selectors.plan_get(key), actor=actor, reason=data.reason, step=data.step)
    return _detail(key)
