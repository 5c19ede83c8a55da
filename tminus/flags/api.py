"""JSON endpoints to manage flags: create, archive, toggle, strategies, variants, segments,
tags and dependencies (for scripts and pipelines).

Each endpoint calls the same service function as the pages and the `tminus flags` command.
Writes may name the revision they were made from; a stale one is answered 409 with the
current state. SDKs do not use these: they use the Unleash-compatible client API.
"""

from ninja import Query, Router, Schema, Status

from tminus.accounts.roles import CONTRIBUTE, VIEW
from tminus.core.api import api_actor
from tminus.core.errors import ValidationFailed
from tminus.flags import presenters, selectors, services
from tminus.flags.models import Project
from tminus.flags.schemas import (
    ArchiveIn,
    DependencyIn,
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
    actor = api_actor(request, CONTRIBUTE)
    segment = services.segment_create(
        name=data.name, description=data.description, project=_project(data.project),
        constraints=definitions(data.constraints), actor=actor)
    return Status(201, presenters.segment(segment))


@router.get("/segments/{segment_id}", response=SegmentOut)
def segment_detail(request, segment_id: int):
    api_actor(request, VIEW)
    return presenters.segment(selectors.segment_get(segment_id))


@router.patch("/segments/{segment_id}", response=SegmentOut)
def segment_update(request, segment_id: int, data: SegmentPatch):
    actor = api_actor(request, CONTRIBUTE)
    changes = data.dict(exclude_unset=True)
    revision = changes.pop("revision", None)
    if data.constraints is not None:
        changes["constraints"] = definitions(data.constraints)
    segment = services.segment_update(segment=selectors.segment_get(segment_id),
                                      changes=changes, revision=revision, actor=actor)
    return presenters.segment(segment)


@router.delete("/segments/{segment_id}", response={204: None})
def segment_delete(request, segment_id: int):
    actor = api_actor(request, CONTRIBUTE)
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
    actor = api_actor(request, CONTRIBUTE)
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
    actor = api_actor(request, CONTRIBUTE)
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
        actor = api_actor(request, CONTRIBUTE)
        flag = service(flag=selectors.flag_get(key), revision=data.revision,
                       reason=data.reason, actor=actor)
        return _detail(flag)


_lifecycle_endpoint("archive", services.flag_archive,
                    "Archive a flag: SDKs stop receiving it")
_lifecycle_endpoint("revive", services.flag_revive,
                    "Bring an archived flag back, off in every environment")


@router.put("/{key}/tags", response=FlagOut)
def flag_tags(request, key: str, data: TagsIn):
    actor = api_actor(request, CONTRIBUTE)
    flag = selectors.flag_get(key)
    services.flag_tags_set(flag=flag, tags=data.tags, revision=data.revision, actor=actor)
    return _detail(flag)


@router.put("/{key}/dependencies/{parent}", response=FlagOut)
def flag_dependency_set(request, key: str, parent: str, data: DependencyIn):
    actor = api_actor(request, CONTRIBUTE)
    flag = selectors.flag_get(key)
    services.flag_dependency_set(flag=flag, parent_key=parent, enabled=data.enabled,
                                 variants=data.variants, revision=data.revision, actor=actor)
    return _detail(flag)


@router.delete("/{key}/dependencies/{parent}", response=FlagOut)
def flag_dependency_remove(request, key: str, parent: str, query: Query[RevisionQuery]):
    actor = api_actor(request, CONTRIBUTE)
    flag = selectors.flag_get(key)
    services.flag_dependency_remove(flag=flag, parent_key=parent, revision=query.revision,
                                    actor=actor)
    return _detail(flag)


# -- a flag in one environment -------------------------------------------------------------


@router.post("/{key}/environments/{environment}/toggle", response=FlagOut)
def flag_toggle(request, key: str, environment: str, data: ToggleIn):
    actor = api_actor(request, CONTRIBUTE)
    flag = selectors.flag_get(key)
    services.flag_environment_toggle(flag=flag, environment=environment, enabled=data.enabled,
                                     reason=data.reason, revision=data.revision, actor=actor)
    return _detail(flag)


@router.post("/{key}/environments/{environment}/rollout", response=FlagOut)
def flag_rollout(request, key: str, environment: str, data: RolloutIn):
    actor = api_actor(request, CONTRIBUTE)
    flag = selectors.flag_get(key)
    services.flag_rollout_percentage_set(flag=flag, environment=environment,
                                         percentage=data.percentage, reason=data.reason,
                                         actor=actor)
    return _detail(flag)


@router.put("/{key}/environments/{environment}/variants", response=FlagOut)
def flag_variants(request, key: str, environment: str, data: VariantsIn):
    actor = api_actor(request, CONTRIBUTE)
    flag = selectors.flag_get(key)
    services.flag_variants_set(flag=flag, environment=environment,
                               variants=definitions(data.variants), reason=data.reason,
                               revision=data.revision, actor=actor)
    return _detail(flag)


@router.get("/{key}/environments/{environment}/strategies", response=list[StrategyOut])
def strategy_list(request, key: str, environment: str):
    api_actor(request, VIEW)
    strategies = selectors.strategies_in(selectors.flag_get(key), environment)
    return [presenters.strategy(s) for s in strategies]


@router.post("/{key}/environments/{environment}/strategies", response={201: StrategyOut})
def strategy_add(request, key: str, environment: str, data: StrategyIn):
    actor = api_actor(request, CONTRIBUTE)
    flag = selectors.flag_get(key)
    strategy = services.strategy_create(
        flag=flag, environment=environment, name=data.name, title=data.title,
        parameters=data.parameters, constraints=definitions(data.constraints),
        segments=data.segments, variants=definitions(data.variants), reason=data.reason,
        actor=actor)
    return Status(201, presenters.strategy(strategy))


@router.patch("/{key}/environments/{environment}/strategies/{strategy_id}",
              response=StrategyOut)
def strategy_update(request, key: str, environment: str, strategy_id: int,
                    data: StrategyPatch):
    actor = api_actor(request, CONTRIBUTE)
    strategy = selectors.strategy_get(selectors.flag_get(key), environment, strategy_id)
    changes = data.dict(exclude_unset=True)
    revision, reason = changes.pop("revision", None), changes.pop("reason", "")
    for field in ("constraints", "variants"):
        if getattr(data, field) is not None:
            changes[field] = definitions(getattr(data, field))
    strategy = services.strategy_update(strategy=strategy, changes=changes, revision=revision,
                                        reason=reason, actor=actor)
    return presenters.strategy(strategy)


@router.delete("/{key}/environments/{environment}/strategies/{strategy_id}",
               response={204: None})
def strategy_delete(request, key: str, environment: str, strategy_id: int,
                    query: Query[RevisionQuery]):
    actor = api_actor(request, CONTRIBUTE)
    strategy = selectors.strategy_get(selectors.flag_get(key), environment, strategy_id)
    services.strategy_delete(strategy=strategy, revision=query.revision, reason=query.reason,
                             actor=actor)
    return Status(204, None)
