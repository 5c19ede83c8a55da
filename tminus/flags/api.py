"""JSON endpoints to manage flags: create, archive, toggle, strategies, variants, segments,
tags and dependencies (for scripts and pipelines).

Each endpoint calls the same service function as the pages and the `tminus flags` command.
Writes may name the revision they were made from; a stale one is answered 409 with the
current state. SDKs do not use these: they use the Unleash-compatible client API.
"""

from ninja import Query, Router, Schema, Status

from tminus.accounts.roles import MANAGE, VIEW
from tminus.core.api import api_actor
from tminus.core.errors import ValidationFailed
from tminus.flags import (
    api_change_control,
    change_requests,
    control,
    permissions,
    presenters,
    selectors,
    services,
)
from tminus.flags.models import Project
from tminus.flags.schemas import (
    ArchiveIn,
    FlagDependencyIn,
    FlagIn,
    FlagOut,
    FlagPatch,
    RolloutIn,
    SegmentIn,
    SegmentOut,
    SegmentPatch,
    StrategyIn,
    StrategyOut,
    StrategyPatch,
    TagsIn,
    ToggleIn,
    VariantsIn,
    definitions,
)
from tminus.outcomes.lookups import user_or_error

router = Router(tags=["flags"])
PREFIX = "/flags"
# A change applied answers the flag; one waiting for approval or its time, the request (202).
FLAG_OR_REQUEST = {200: FlagOut, 202: api_change_control.ChangeRequestOut}
# Before the `/{key}` routes, which would otherwise take `/change-requests` for a flag's name.
api_change_control.add_routes(router)


class RevisionQuery(Schema):
    revision: int | None = None
    reason: str = ""


def _detail(flag) -> dict:
    flag = selectors.flag_get(flag.key)
    return presenters.flag_detail(flag, selectors.flag_states(flag))


def _project(key: str | None, field: str = "project") -> Project | None:
    if not key:
        return None
    project = Project.objects.filter(key=key).first()
    if project is None:
        raise ValidationFailed({field: f"No flag project {key!r}."})
    return project


# -- segments (before /{key}, which would otherwise take "segments" as a flag name) ---------


@router.get("/segments", response=list[SegmentOut])
def segment_list(request):
    api_actor(request, VIEW)
    return [presenters.segment(s) for s in selectors.segment_list()]


@router.post("/segments", response={201: SegmentOut})
def segment_create(request, data: SegmentIn):
    actor = api_actor(request, VIEW)  # the service checks the project's rules
    segment = services.segment_create(
        name=data.name, description=data.description, project=_project(data.project),
        constraints=definitions(data.constraints), actor=actor)
    return Status(201, presenters.segment(segment))


@router.get("/segments/{segment_id}", response=SegmentOut)
def segment_detail(request, segment_id: int):
    api_actor(request, VIEW)
    return presenters.segment(selectors.segment_get(segment_id))


@router.patch("/segments/{segment_id}",
              response={200: SegmentOut, 202: api_change_control.ChangeRequestOut})
def segment_update(request, segment_id: int, data: SegmentPatch):
    actor = api_actor(request, VIEW)  # the service checks the project's rules
    changes = data.dict(exclude_unset=True)
    revision = changes.pop("revision", None)
    if data.constraints is not None:
        changes["constraints"] = definitions(data.constraints)
    segment = selectors.segment_get(segment_id)
    if services.segment_users(segment):  # a change to flags that use it: maybe a request
        submitted = change_requests.submit("segment_update", segment=segment, changes=changes,
                                           revision=revision, actor=actor)
        if submitted.change_request is not None:
            return Status(202, change_requests.change_request_dict(submitted.change_request))
    else:
        services.segment_update(segment=segment, changes=changes, revision=revision,
                                actor=actor)
    return presenters.segment(selectors.segment_get(segment_id))


@router.delete("/segments/{segment_id}", response={204: None})
def segment_delete(request, segment_id: int):
    actor = api_actor(request, VIEW)  # the service checks the project's rules
    services.segment_delete(segment=selectors.segment_get(segment_id), actor=actor)
    return Status(204, None)


# -- projects and flags --------------------------------------------------------------------


@router.get("/projects")
def project_list(request):
    api_actor(request, VIEW)
    return [{"key": p.key, "name": p.name, "flags": p.flag_count,
             "environments": [e.key for e in p.environments.all()]}
            for p in selectors.projects()]


@router.get("/projects/{key}/flags")
def flag_list(request, key: str):
    api_actor(request, VIEW)
    rows = selectors.flag_rows(selectors.project_get(key))
    return [presenters.flag_row(row) for row in rows]


@router.post("/projects/{key}/flags", response={201: FlagOut})
def flag_create(request, key: str, data: FlagIn):
    actor = api_actor(request, VIEW)  # the service checks the project's rules
    flag = services.flag_create(
        project=selectors.project_get(key), key=data.key, flag_type=data.type,
        description=data.description, owner=user_or_error(data.owner),
        release=selectors.release_or_error(data.release),
        impression_data=data.impression_data, actor=actor)
    return Status(201, _detail(flag))


@router.get("/{key}", response=FlagOut)
def flag_detail(request, key: str):
    api_actor(request, VIEW)
    return _detail(selectors.flag_get(key))


@router.patch("/{key}", response=FlagOut)
def flag_update(request, key: str, data: FlagPatch):
    actor = api_actor(request, VIEW)  # the service checks the project's rules
    changes = data.dict(exclude_unset=True)
    revision = changes.pop("revision", None)
    if "type" in changes:
        changes["flag_type"] = changes.pop("type")
    if "owner" in changes:
        changes["owner"] = user_or_error(changes["owner"])
    if "release" in changes:
        changes["release"] = selectors.release_or_error(changes["release"])
    flag = services.flag_update(flag=selectors.flag_get(key), changes=changes,
                                revision=revision, actor=actor)
    return _detail(flag)


def _lifecycle_endpoint(action: str, service, summary: str) -> None:
    """POST /{flag}/archive and /{flag}/revive: the same body, a different service."""

    @router.post(f"/{{key}}/{action}", response=FlagOut, operation_id=f"flag_{action}",
                 summary=summary)
    def change(request, key: str, data: ArchiveIn):
        actor = api_actor(request, VIEW)  # the service checks the project's rules
        flag = service(flag=selectors.flag_get(key), revision=data.revision,
                       reason=data.reason, actor=actor)
        return _detail(flag)


_lifecycle_endpoint("archive", services.flag_archive,
                    "Archive a flag: SDKs stop receiving it")
_lifecycle_endpoint("revive", services.flag_revive,
                    "Bring an archived flag back, off in every environment")


@router.put("/{key}/tags", response=FlagOut)
def flag_tags(request, key: str, data: TagsIn):
    actor = api_actor(request, VIEW)  # the service checks the project's rules
    flag = selectors.flag_get(key)
    services.flag_tags_set(flag=flag, tags=data.tags, revision=data.revision, actor=actor)
    return _detail(flag)


@router.put("/{key}/dependencies/{parent}", response=FlagOut)
def flag_dependency_set(request, key: str, parent: str, data: FlagDependencyIn):
    actor = api_actor(request, VIEW)  # the service checks the project's rules
    flag = selectors.flag_get(key)
    services.flag_dependency_set(flag=flag, parent_key=parent, enabled=data.enabled,
                                 variants=data.variants, revision=data.revision, actor=actor)
    return _detail(flag)


@router.delete("/{key}/dependencies/{parent}", response=FlagOut)
def flag_dependency_remove(request, key: str, parent: str, query: Query[RevisionQuery]):
    actor = api_actor(request, VIEW)  # the service checks the project's rules
    flag = selectors.flag_get(key)
    services.flag_dependency_remove(flag=flag, parent_key=parent, revision=query.revision,
                                    actor=actor)
    return _detail(flag)


# -- a flag in one environment -------------------------------------------------------------


@router.post("/{key}/environments/{environment}/toggle", response=FLAG_OR_REQUEST)
def flag_toggle(request, key: str, environment: str, data: ToggleIn):
    actor = api_actor(request, VIEW)  # the service checks the project's rules
    flag = selectors.flag_get(key)
    submitted = change_requests.submit(
        "flag_environment_toggle", flag=flag, environment=environment, enabled=data.enabled,
        reason=data.reason, revision=data.revision, at=data.at or None,
        time_zone=data.time_zone, actor=actor)
    return api_change_control.submitted_answer(submitted, lambda: _detail(flag))


@router.post("/{key}/environments/{environment}/rollout", response=FLAG_OR_REQUEST)
def flag_rollout(request, key: str, environment: str, data: RolloutIn):
    actor = api_actor(request, VIEW)  # the service checks the project's rules
    flag = selectors.flag_get(key)
    submitted = change_requests.submit(
        "flag_rollout_percentage_set", flag=flag, environment=environment,
        percentage=data.percentage, reason=data.reason, actor=actor)
    return api_change_control.submitted_answer(submitted, lambda: _detail(flag))


@router.put("/{key}/environments/{environment}/variants", response=FLAG_OR_REQUEST)
def flag_variants(request, key: str, environment: str, data: VariantsIn):
    actor = api_actor(request, VIEW)  # the service checks the project's rules
    flag = selectors.flag_get(key)
    submitted = change_requests.submit(
        "flag_variants_set", flag=flag, environment=environment,
        variants=definitions(data.variants), reason=data.reason, revision=data.revision,
        actor=actor)
    return api_change_control.submitted_answer(submitted, lambda: _detail(flag))


@router.get("/{key}/environments/{environment}/strategies", response=list[StrategyOut])
def strategy_list(request, key: str, environment: str):
    api_actor(request, VIEW)
    strategies = selectors.strategies_in(selectors.flag_get(key), environment)
    return [presenters.strategy(s) for s in strategies]


@router.post("/{key}/environments/{environment}/strategies",
             response={201: StrategyOut, 202: api_change_control.ChangeRequestOut})
def strategy_add(request, key: str, environment: str, data: StrategyIn):
    actor = api_actor(request, VIEW)  # the service checks the project's rules
    flag = selectors.flag_get(key)
    submitted = change_requests.submit(
        "strategy_create", flag=flag, environment=environment, name=data.name,
        title=data.title, parameters=data.parameters, constraints=definitions(data.constraints),
        segments=data.segments, variants=definitions(data.variants), reason=data.reason,
        actor=actor)
    return api_change_control.submitted_answer(
        submitted, lambda: Status(201, presenters.strategy(submitted.result)))


@router.patch("/{key}/environments/{environment}/strategies/{strategy_id}",
              response={200: StrategyOut, 202: api_change_control.ChangeRequestOut})
def strategy_update(request, key: str, environment: str, strategy_id: int,
                    data: StrategyPatch):
    actor = api_actor(request, VIEW)  # the service checks the project's rules
    strategy = selectors.strategy_get(selectors.flag_get(key), environment, strategy_id)
    changes = data.dict(exclude_unset=True)
    revision, reason = changes.pop("revision", None), changes.pop("reason", "")
    for field in ("constraints", "variants"):
        if getattr(data, field) is not None:
            changes[field] = definitions(getattr(data, field))
    submitted = change_requests.submit("strategy_update", strategy=strategy, changes=changes,
                                       revision=revision, reason=reason, actor=actor)
    return api_change_control.submitted_answer(
        submitted, lambda: presenters.strategy(submitted.result))


@router.delete("/{key}/environments/{environment}/strategies/{strategy_id}",
               response={204: None, 202: api_change_control.ChangeRequestOut})
def strategy_delete(request, key: str, environment: str, strategy_id: int,
                    query: Query[RevisionQuery]):
    actor = api_actor(request, VIEW)  # the service checks the project's rules
    strategy = selectors.strategy_get(selectors.flag_get(key), environment, strategy_id)
    submitted = change_requests.submit("strategy_delete", strategy=strategy,
                                       revision=query.revision, reason=query.reason,
                                       actor=actor)
    return api_change_control.submitted_answer(submitted, lambda: Status(204, None))


class RoleRuleIn(Schema):
    role: str
    environment: str = ""
    may_change: bool | None


def _role_rules(project) -> dict:
    return {"effective": permissions.effective(project),
            "rules": [{"role": rule.role,
                       "environment": rule.environment.key if rule.environment_id else "",
                       "may_change": rule.may_change} for rule in permissions.rules(project)]}


@router.get("/projects/{key}/roles")
def role_rule_list(request, key: str):
    """Who may change flags: `effective` (role -> environment -> true/false) and the project's
    own `rules` (the rest follow the roles' defaults)."""
    api_actor(request, VIEW)
    return _role_rules(selectors.project_get(key))


@router.put("/projects/{key}/roles")
def role_rule_set(request, key: str, data: RoleRuleIn):
    """Allow (`may_change: true`) or forbid (`false`) a role to change flags of the project,
    or of one `environment`; `null` returns to the role's default."""
    actor = api_actor(request, MANAGE)
    project = selectors.project_get(key)
    control.role_rule_set(project=project, role=data.role, environment=data.environment,
                          may_change=data.may_change, actor=actor)
    return _role_rules(project)


api_change_control.add_flag_routes(router)
