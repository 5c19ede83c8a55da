"""Every write to feature flags. Each runs in a transaction, is audited on the flag, and records
a revision so that polling SDKs get a new ETag and streaming SDKs get the change at once.
"""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from tminus.accounts.permissions import require
from tminus.accounts.roles import CONTRIBUTE, MANAGE
from tminus.audit.services import audit_record, snapshot
from tminus.core.actors import Actor
from tminus.core.concurrency import REVISION_MISSING, save_versioned
from tminus.core.errors import Conflict, NotFound, PreconditionRequired, ValidationFailed
from tminus.flags import propagation, revisions, tokens, validation
from tminus.flags.choices import DEFAULT_ENVIRONMENTS, FlagType, TokenKind
from tminus.flags.models import (
    ChangeEvent,
    ClientToken,
    Environment,
    Flag,
    FlagDependency,
    FlagEnvironment,
    FlagTag,
    Project,
    RevisionSequence,
    Segment,
    Strategy,
)
from tminus.flags.permissions import require_change

FLAG_FIELDS = ["key", "description", "flag_type", "owner", "release", "impression_data",
               "stale", "archived_at"]
FLAG_EDITABLE = {"description", "flag_type", "owner", "release", "impression_data", "stale"}
STRATEGY_FIELDS = ["name", "title", "parameters", "constraints", "segments", "variants",
                   "sort_order"]
SEGMENT_FIELDS = ["name", "description", "constraints"]


# -- projects and environments -------------------------------------------------------------


@transaction.atomic
def project_create(*, key: str, name: str = "", description: str = "", actor: Actor,
                   environments: list[tuple[str, str]] | None = None) -> Project:
    """Create a project with its environments (development, staging, production by default)."""
    require(actor, MANAGE)
    key = (key or "").strip()
    if not key or not validation.KEY_PATTERN.match(key):
        raise ValidationFailed({"key": "A project needs a key without spaces or slashes."})
    if Project.objects.filter(key=key).exists():
        raise ValidationFailed({"key": f"A project with key {key!r} already exists."})
    project = Project.objects.create(key=key, name=(name or key).strip(),
                                     description=description)
    for order, (env_key, env_name) in enumerate(environments or DEFAULT_ENVIRONMENTS):
        Environment.objects.create(project=project, key=env_key, name=env_name,
                                   sort_order=order)
    audit_record(actor=actor, action="flag_project.create", obj=project, project=project.key,
                 after={"key": project.key, "name": project.name,
                        "environments": [e for e, _ in environments or DEFAULT_ENVIRONMENTS]})
    return project


@transaction.atomic
def environment_create(*, project: Project, key: str, name: str = "", actor: Actor
                       ) -> Environment:
    """Add an environment to a project; every flag of the project is in it, switched off."""
    require(actor, MANAGE)
    key = (key or "").strip()
    if not key or not validation.KEY_PATTERN.match(key):
        raise ValidationFailed({"key": "An environment needs a key without spaces or slashes."})
    if project.environments.filter(key=key).exists():
        raise ValidationFailed({"key": f"{project.key} already has an environment {key!r}."})
    environment = Environment.objects.create(
        project=project, key=key, name=(name or key.title()).strip(),
        sort_order=project.environments.count())
    flags = list(project.flags.filter(archived_at__isnull=True))
    FlagEnvironment.objects.bulk_create(
        FlagEnvironment(flag=flag, environment=environment) for flag in flags)
    revisions.record_changes([environment.pk],
                             [("feature-updated", flag.key) for flag in flags])
    audit_record(actor=actor, action="flag_environment.create", obj=environment,
                 project=project.key, environment=key,
                 after={"project": project.key, "key": key, "name": environment.name})
    return environment


def environment_of(flag: Flag, environment) -> Environment:
    """The flag's project environment, given as an Environment or as its key."""
    if isinstance(environment, Environment):
        if environment.project_id != flag.project_id:
            raise ValidationFailed({"environment": f"{environment} is not an environment of "
                                                   f"project {flag.project.key}."})
        return environment
    found = Environment.objects.filter(project_id=flag.project_id, key=environment).first()
    if found is None:
        raise NotFound(f"Project {flag.project.key} has no environment {environment!r}.")
    return found


def _state(flag: Flag, environment) -> FlagEnvironment:
    environment = environment_of(flag, environment)
    state = (FlagEnvironment.objects.select_for_update()
             .filter(flag=flag, environment=environment).first())
    if state is None:
        state = FlagEnvironment.objects.create(flag=flag, environment=environment)
    state.environment = environment
    return state


# -- flags ---------------------------------------------------------------------------------


def _flag_errors(values: dict) -> dict:
    errors = {}
    if "flag_type" in values and values["flag_type"] not in FlagType.values:
        errors["flag_type"] = (f"Unknown flag type {values['flag_type']!r}; use one of "
                               f"{', '.join(FlagType.values)}.")
    for field in ("impression_data", "stale"):
        if field in values and not isinstance(values[field], bool):
            errors[field] = "Must be true or false."
    return errors


def audit_flag(actor, action, flag, *, before=None, after=None, reason="", environment=None):
    """Record a change on the flag (its history), with the linked release's id."""
    if environment is not None:
        # The environment is context, not a change: the same on both sides.
        after = {"environment": environment.key, **(after or {})}
        before = {"environment": environment.key, **before} if before is not None else None
    audit_record(actor=actor, action=action, obj=flag, before=before, after=after,
                 release_id=flag.release_id, reason=reason, project=flag.project.key,
                 environment=environment.key if environment is not None else "")


@transaction.atomic
def flag_create(*, project: Project, key: str, actor: Actor, flag_type: str = FlagType.RELEASE,
                description: str = "", owner=None, release=None, impression_data: bool = False
                ) -> Flag:
    """Create a flag, switched off and without strategies in every environment of its project."""
    require_change(actor, project)
    key = (key or "").strip()
    validation.check_flag_key(key)
    errors = _flag_errors({"flag_type": flag_type, "impression_data": impression_data})
    existing = Flag.objects.filter(key=key).select_related("project").first()
    if existing is not None:
        errors["key"] = f"A flag named {key!r} already exists (project {existing.project.key})."
    if errors:
        raise ValidationFailed(errors)
    flag = Flag.objects.create(project=project, key=key, flag_type=flag_type,
                               description=description, owner=owner, release=release,
                               impression_data=impression_data)
    environments = list(project.environments.all())
    FlagEnvironment.objects.bulk_create(
        FlagEnvironment(flag=flag, environment=env) for env in environments)
    revisions.flag_changed(flag, [env.pk for env in environments])
    audit_flag(actor, "flag.create", flag, after=snapshot(flag, FLAG_FIELDS))
    return flag


@transaction.atomic
def flag_update(*, flag: Flag, changes: dict, actor: Actor, revision: int | None = None) -> Flag:
    """Change a flag's description, type, owner, linked release, impression data or stale mark."""
    require_change(actor, flag.project)
    unknown = set(changes) - FLAG_EDITABLE
    errors = {field: "This field cannot be changed here." for field in unknown}
    errors.update(_flag_errors(changes))
    if errors:
        raise ValidationFailed(errors)
    before = snapshot(flag, FLAG_FIELDS)
    for field, value in changes.items():
        setattr(flag, field, value)
    save_versioned(flag, revision, [*changes, "updated_at"],
                   snapshot=lambda f: {**snapshot(f, FLAG_FIELDS), "revision": f.revision})
    if {"flag_type", "description", "impression_data", "stale"} & set(changes):
        revisions.flag_changed(flag)
    audit_flag(actor, "flag.update", flag, before=before, after=snapshot(flag, FLAG_FIELDS))
    return flag


@transaction.atomic
def flag_archive(*, flag: Flag, actor: Actor, reason: str = "", revision: int | None = None
                 ) -> Flag:
    """Archive a flag: SDKs stop receiving it (they answer their default for it)."""
    require_change(actor, flag.project)
    _flag_revision_take(flag, revision)
    if flag.archived_at is not None:
        raise ValidationFailed({"flag": f"{flag.key} is already archived."})
    if Flag.objects.filter(dependencies__parent_key=flag.key, archived_at__isnull=True).exists():
        children = Flag.objects.filter(dependencies__parent_key=flag.key,
                                       archived_at__isnull=True).values_list("key", flat=True)
        raise ValidationFailed({"flag": f"{', '.join(children)} depend on {flag.key}; remove "
                                        "those dependencies first."})
    flag.archived_at = timezone.now()
    flag.save(update_fields=["archived_at", "updated_at"])
    revisions.flag_removed(flag.key, flag.states.values_list("environment_id", flat=True))
    audit_flag(actor, "flag.archive", flag, after={"archived_at": flag.archived_at}, reason=reason)
    return flag


@transaction.atomic
def flag_revive(*, flag: Flag, actor: Actor, reason: str = "", revision: int | None = None
                ) -> Flag:
    """Bring an archived flag back; it returns switched off in every environment."""
    require_change(actor, flag.project)
    _flag_revision_take(flag, revision)
    if flag.archived_at is None:
        raise ValidationFailed({"flag": f"{flag.key} is not archived."})
    before = {"archived_at": flag.archived_at}
    flag.archived_at = None
    flag.save(update_fields=["archived_at", "updated_at"])
    flag.states.update(enabled=False, revision=F("revision") + 1)
    revisions.flag_changed(flag)
    audit_flag(actor, "flag.revive", flag, before=before, after={"archived_at": None},
               reason=reason)
    return flag


@transaction.atomic
def flag_environment_toggle(*, flag: Flag, environment, enabled: bool, actor: Actor,
                            reason: str = "", revision: int | None = None) -> FlagEnvironment:
    """Switch a flag on or off in one environment.

    `revision` is the environment state's revision the change was made from (optional).
    """
    require_change(actor, flag.project, environment_of(flag, environment))
    if not isinstance(enabled, bool):
        raise ValidationFailed({"enabled": "Must be true or false."})
    _require_live(flag)
    state = _state(flag, environment)
    _state_revision_check(state, revision)
    before = {"enabled": state.enabled}
    if state.enabled != enabled:
        state.enabled = enabled
        state.revision += 1
        state.save(update_fields=["enabled", "revision", "updated_at"])
        revisions.flag_changed(flag, [state.environment_id])
    audit_flag(actor, "flag.toggle", flag, before=before, after={"enabled": enabled},
           reason=reason, environment=state.environment)
    return state


@transaction.atomic
def flag_variants_set(*, flag: Flag, environment, variants: list, actor: Actor,
                      reason: str = "", revision: int | None = None) -> FlagEnvironment:
    """Replace a flag's variants in one environment (weights, payloads, stickiness, overrides)."""
    require_change(actor, flag.project, environment_of(flag, environment))
    _require_live(flag)
    validation.check_variants(variants)
    state = _state(flag, environment)
    _state_revision_check(state, revision)
    before = {"variants": state.variants}
    state.variants = _normalized_variants(variants)
    state.revision += 1
    state.save(update_fields=["variants", "revision", "updated_at"])
    revisions.flag_changed(flag, [state.environment_id])
    audit_flag(actor, "flag.variants_set", flag, before=before, after={"variants": state.variants},
           reason=reason, environment=state.environment)
    return state


def _normalized_variants(variants: list) -> list:
    """Unleash shape: variable weights fill what fixed weights leave of 1000."""
    variants = [dict(v) for v in variants or []]
    fixed = sum(int(v.get("weight") or 0) for v in variants if v.get("weightType") == "fix")
    variable = [v for v in variants if v.get("weightType") != "fix"]
    if variable and all("weight" not in v for v in variable):
        share, rest = divmod(max(1000 - fixed, 0), len(variable))
        for index, variant in enumerate(variable):
            variant["weight"] = share + (1 if index < rest else 0)
    for variant in variants:
        variant.setdefault("weightType", "variable")
        variant.setdefault("stickiness", "default")
    return variants


def _state_snapshot(state: FlagEnvironment) -> dict:
    return {"environment": state.environment.key, "enabled": state.enabled,
            "variants": state.variants, "revision": state.revision}


def _state_revision_check(state: FlagEnvironment, revision: int | None) -> None:
    """Refuse a change made from a stale copy of the state (the caller holds its row lock), or
    one that names no revision when its interface must (REVISION_MISSING)."""
    if revision == REVISION_MISSING:
        raise PreconditionRequired(
            f"Say which revision of {state.flag.key} in {state.environment.key} you changed "
            f"(it is now at revision {state.revision}): reload the page and try again.",
            current=_state_snapshot(state))
    if revision is not None and state.revision != revision:
        raise Conflict(f"{state.flag.key} in {state.environment.key} was changed by someone "
                       f"else (you edited revision {revision}, it is now at revision "
                       f"{state.revision}).", current=_state_snapshot(state))


def _flag_revision_take(flag: Flag, revision: int | None) -> None:
    """Lock the flag, refuse a change made from a stale copy, and count the change."""
    current = Flag.objects.select_for_update().values_list("revision", flat=True).get(pk=flag.pk)
    if revision is not None and current != revision:
        flag.revision = current
        raise Conflict(f"Flag {flag.key} was changed by someone else (you edited revision "
                       f"{revision}, it is now at revision {current}).",
                       current={**snapshot(flag, FLAG_FIELDS), "revision": current})
    Flag.objects.filter(pk=flag.pk).update(revision=current + 1)
    flag.revision = current + 1


def _require_live(flag: Flag) -> None:
    if flag.archived_at is not None:
        raise ValidationFailed({"flag": f"{flag.key} is archived; revive it to change it."})


# -- strategies ----------------------------------------------------------------------------


def _definition(name, parameters, constraints, segments, variants) -> dict:
    return {"name": name, "parameters": parameters or {}, "constraints": constraints or [],
            "segments": segments or [], "variants": variants or []}


def _strategy_state(strategy: Strategy) -> dict:
    return {**snapshot(strategy, STRATEGY_FIELDS), "id": strategy.pk,
            "revision": strategy.revision}


@transaction.atomic
def strategy_create(*, flag: Flag, environment, name: str, actor: Actor,
                    parameters: dict | None = None, constraints: list | None = None,
                    segments: list | None = None, variants: list | None = None,
                    title: str = "", reason: str = "") -> Strategy:
    """Add a strategy to a flag in one environment, after the engine has checked it."""
    require_change(actor, flag.project, environment_of(flag, environment))
    _require_live(flag)
    parameters = _stringified(parameters)
    definition = _definition(name, parameters, constraints, segments, variants)
    validation.check_strategy(definition)
    state = _state(flag, environment)
    order = max([s.sort_order for s in state.strategies.all()], default=-1) + 1
    strategy = Strategy.objects.create(state=state, name=name, title=title or "",
                                       sort_order=order, **{k: definition[k] for k in (
                                           "parameters", "constraints", "segments",
                                           "variants")})
    revisions.flag_changed(flag, [state.environment_id])
    audit_flag(actor, "flag.strategy_create", flag, after=_strategy_state(strategy),
           reason=reason, environment=state.environment)
    return strategy


@transaction.atomic
def strategy_update(*, strategy: Strategy, changes: dict, actor: Actor,
                    revision: int | None = None, reason: str = "") -> Strategy:
    """Change a strategy's parameters, constraints, segments, variants, title or order."""
    require_change(actor, strategy.state.flag.project, strategy.state.environment)
    flag = strategy.state.flag
    _require_live(flag)
    unknown = set(changes) - set(STRATEGY_FIELDS)
    if unknown:
        raise ValidationFailed({field: "This field cannot be changed here." for field in unknown})
    before = _strategy_state(strategy)
    if "parameters" in changes:
        changes = {**changes, "parameters": _stringified(changes["parameters"])}
    for field, value in changes.items():
        setattr(strategy, field, value)
    validation.check_strategy(_definition(strategy.name, strategy.parameters,
                                          strategy.constraints, strategy.segments,
                                          strategy.variants))
    save_versioned(strategy, revision, list(changes), snapshot=_strategy_state)
    revisions.flag_changed(flag, [strategy.state.environment_id])
    audit_flag(actor, "flag.strategy_update", flag, before=before, after=_strategy_state(strategy),
           reason=reason, environment=strategy.state.environment)
    return strategy


@transaction.atomic
def strategy_delete(*, strategy: Strategy, actor: Actor, reason: str = "",
                    revision: int | None = None) -> None:
    """Remove a strategy from a flag in one environment."""
    require_change(actor, strategy.state.flag.project, strategy.state.environment)
    flag = strategy.state.flag
    _require_live(flag)
    before = _strategy_state(strategy)
    environment = strategy.state.environment
    deleted, _ = Strategy.objects.filter(
        pk=strategy.pk, **({} if revision is None else {"revision": revision})).delete()
    if not deleted:
        current = Strategy.objects.filter(pk=strategy.pk).first()
        raise Conflict(f"This strategy was changed by someone else (you edited revision "
                       f"{revision}).", current=_strategy_state(current) if current else {})
    revisions.flag_changed(flag, [environment.pk])
    audit_flag(actor, "flag.strategy_delete", flag, before=before, reason=reason,
           environment=environment)


@transaction.atomic
def flag_rollout_percentage_set(*, flag: Flag, environment, percentage: int, actor: Actor,
                                reason: str = "", stickiness: str = "default") -> Strategy:
    """Set the percentage of the flag's gradual rollout in one environment.

    Changes the first flexibleRollout strategy there, or adds one (sticky on `stickiness`,
    grouped by the flag name) when there is none. Users inside at 10% stay inside at 50%.
    """
    require_change(actor, flag.project, environment_of(flag, environment))
    if isinstance(percentage, bool) or not isinstance(percentage, int) or not (
            0 <= percentage <= 100):
        raise ValidationFailed({"percentage": f"{percentage!r} is not a whole number from 0 "
                                              "to 100."})
    state = _state(flag, environment)
    strategy = state.strategies.filter(name="flexibleRollout").order_by("sort_order", "id").first()
    if strategy is None:
        return strategy_create(flag=flag, environment=state.environment, name="flexibleRollout",
                               parameters={"rollout": percentage, "stickiness": stickiness,
                                           "groupId": flag.key},
                               actor=actor, reason=reason)
    parameters = {**strategy.parameters, "rollout": str(percentage)}
    return strategy_update(strategy=strategy, changes={"parameters": parameters}, actor=actor,
                           reason=reason)


def _stringified(parameters) -> dict:
    """Unleash serves parameters as strings; SDKs parse them."""
    if parameters is None:
        return {}
    if not isinstance(parameters, dict):
        raise ValidationFailed({"parameters": "Parameters must be an object."})
    return {key: value if isinstance(value, str) else (
        str(value).lower() if isinstance(value, bool) else str(value))
        for key, value in parameters.items()}


# -- dependencies and tags -----------------------------------------------------------------


@transaction.atomic
def flag_dependency_set(*, flag: Flag, parent_key: str, actor: Actor, enabled: bool = True,
                        variants: list | None = None, revision: int | None = None
                        ) -> FlagDependency:
    """Make a flag depend on a parent flag of the same project being on (or off).

    With `variants`, the parent must also give one of those variants (as in Unleash).
    """
    require_change(actor, flag.project)
    _require_live(flag)
    parent = Flag.objects.filter(key=parent_key, archived_at__isnull=True).first()
    errors = {}
    if parent is None:
        errors["parent"] = f"No live flag named {parent_key!r}."
    elif parent.pk == flag.pk:
        errors["parent"] = "A flag cannot depend on itself."
    elif parent.project_id != flag.project_id:
        errors["parent"] = "A parent flag must be in the same project."
    elif parent.dependencies.exists():
        errors["parent"] = (f"{parent.key} depends on other flags itself; only one level of "
                            "dependencies is supported.")
    elif _has_children(flag):
        errors["parent"] = f"Other flags depend on {flag.key}, so it cannot have a parent."
    variants = list(variants or [])
    if not all(isinstance(v, str) and v for v in variants):
        errors["variants"] = "Variants must be a list of variant names."
    if errors:
        raise ValidationFailed(errors)
    _flag_revision_take(flag, revision)
    dependency, _created = FlagDependency.objects.update_or_create(
        flag=flag, parent_key=parent_key, defaults={"enabled": enabled, "variants": variants})
    revisions.flag_changed(flag)
    audit_flag(actor, "flag.dependency_set", flag,
           after={"parent": parent_key, "enabled": enabled, "variants": variants})
    return dependency


def _has_children(flag: Flag) -> bool:
    return FlagDependency.objects.filter(parent_key=flag.key).exists()


@transaction.atomic
def flag_dependency_remove(*, flag: Flag, parent_key: str, actor: Actor,
                           revision: int | None = None) -> None:
    """Remove a flag's dependency on a parent."""
    require_change(actor, flag.project)
    _flag_revision_take(flag, revision)
    deleted, _ = FlagDependency.objects.filter(flag=flag, parent_key=parent_key).delete()
    if not deleted:
        raise NotFound(f"{flag.key} does not depend on {parent_key!r}.")
    revisions.flag_changed(flag)
    audit_flag(actor, "flag.dependency_remove", flag, before={"parent": parent_key})


@transaction.atomic
def flag_tags_set(*, flag: Flag, tags: list[str], actor: Actor, revision: int | None = None
                  ) -> list[FlagTag]:
    """Replace a flag's tags; each is `value` or `type:value`.

    SDKs can poll for the flags with a tag, so a change to the tags is a change to the state.
    """
    require_change(actor, flag.project)
    parsed = []
    for text in tags:
        if not isinstance(text, str):
            raise ValidationFailed({"tags": f"{text!r} is not a tag (type:value)."})
        tag_type, _, value = text.strip().rpartition(":")
        tag_type, value = (tag_type or "simple").strip(), value.strip()
        if not value or len(value) > 100 or len(tag_type) > 50:
            raise ValidationFailed({"tags": f"{text!r} is not a tag (type:value, at most 100 "
                                            "characters)."})
        parsed.append((tag_type, value))
    before = sorted(str(tag) for tag in flag.tags.all())
    if before == sorted({f"{t}:{v}" for t, v in parsed}):
        return list(flag.tags.all())
    _flag_revision_take(flag, revision)
    flag.tags.all().delete()
    created = FlagTag.objects.bulk_create(
        FlagTag(flag=flag, tag_type=t, value=v) for t, v in dict.fromkeys(parsed))
    after = sorted(str(tag) for tag in created)
    if after != before:
        revisions.flag_changed(flag)  # SDKs that filter by tag may now get it, or lose it
    audit_flag(actor, "flag.tags_set", flag, before={"tags": before}, after={"tags": after})
    return created


# -- segments ------------------------------------------------------------------------------


def segment_users(segment: Segment) -> list[Strategy]:
    """The strategies that use a segment, with their flag and environment."""
    return [strategy for strategy in Strategy.objects.select_related(
        "state__flag__project", "state__environment") if segment.pk in (strategy.segments or [])]


def _require_segment_change(actor: Actor, project: Project | None,
                            segment: Segment | None = None) -> None:
    """A project's segment follows the project's rules; a shared one the role's default. A
    segment in use is also a change to every environment it is used in."""
    if project is not None:
        require_change(actor, project)
    else:
        require(actor, CONTRIBUTE)
    if segment is not None and segment.pk:
        for strategy in segment_users(segment):
            require_change(actor, strategy.state.flag.project, strategy.state.environment)


@transaction.atomic
def segment_create(*, name: str, constraints: list, actor: Actor, description: str = "",
                   project: Project | None = None) -> Segment:
    """Create a segment: named constraints that strategies can share."""
    _require_segment_change(actor, project)
    name = (name or "").strip()
    if not name:
        raise ValidationFailed({"name": "A segment needs a name."})
    if Segment.objects.filter(name=name).exists():
        raise ValidationFailed({"name": f"A segment named {name!r} already exists."})
    validation.check_constraints(constraints)
    segment = Segment.objects.create(name=name, description=description, project=project,
                                     constraints=constraints)
    revisions.segment_changed(segment.pk)
    audit_record(actor=actor, action="flag_segment.create", obj=segment,
                 project=segment.project.key if segment.project_id else "",
                 after=snapshot(segment, SEGMENT_FIELDS))
    return segment


@transaction.atomic
def segment_update(*, segment: Segment, changes: dict, actor: Actor,
                   revision: int | None = None) -> Segment:
    """Change a segment's name, description or constraints; every flag using it follows."""
    _require_segment_change(actor, segment.project, segment)
    unknown = set(changes) - set(SEGMENT_FIELDS)
    if unknown:
        raise ValidationFailed({field: "This field cannot be changed here." for field in unknown})
    if "constraints" in changes:
        validation.check_constraints(changes["constraints"])
    if "name" in changes and Segment.objects.filter(name=changes["name"]).exclude(
            pk=segment.pk).exists():
        raise ValidationFailed({"name": f"A segment named {changes['name']!r} already exists."})
    before = snapshot(segment, SEGMENT_FIELDS)
    for field, value in changes.items():
        setattr(segment, field, value)
    save_versioned(segment, revision, list(changes),
                   snapshot=lambda s: {**snapshot(s, SEGMENT_FIELDS), "revision": s.revision})
    revisions.segment_changed(segment.pk)
    audit_record(actor=actor, action="flag_segment.update", obj=segment, before=before,
                 after=snapshot(segment, SEGMENT_FIELDS))
    return segment


@transaction.atomic
def segment_delete(*, segment: Segment, actor: Actor) -> None:
    """Delete a segment that no strategy uses."""
    _require_segment_change(actor, segment.project, segment)
    users = segment_users(segment)
    if users:
        flags = sorted({s.state.flag.key for s in users})
        raise ValidationFailed({"segment": f"{segment.name} is used by {', '.join(flags)}."})
    before = snapshot(segment, SEGMENT_FIELDS)
    segment_id = segment.pk
    project = segment.project.key if segment.project_id else ""
    segment.delete()
    revisions.segment_changed(segment_id, removed=True)
    audit_record(actor=actor, action="flag_segment.delete", obj=Segment(pk=segment_id,
                 name=before["name"]), before=before, project=project)


# -- client tokens -------------------------------------------------------------------------


@transaction.atomic
def client_token_create(*, name: str, environment: str, projects: list[str], actor: Actor,
                        kind: str = TokenKind.CLIENT) -> tuple[ClientToken, str]:
    """Create a backend or frontend token for some projects (or `*`) and one environment.

    The secret is returned once; only its hash is kept.
    """
    require(actor, MANAGE)
    errors = {}
    if kind not in TokenKind.values:
        errors["kind"] = f"Unknown token kind {kind!r}; use one of {', '.join(TokenKind.values)}."
    projects = [p.strip() for p in projects or [] if p and p.strip()]
    all_projects = "*" in projects
    found = [] if all_projects else list(Project.objects.filter(key__in=projects))
    missing = sorted(set(projects) - {p.key for p in found} - {"*"})
    if not projects:
        errors["projects"] = "Name at least one project, or * for every project."
    elif missing:
        errors["projects"] = f"No project {', '.join(missing)}."
    environments = Environment.objects.filter(key=environment)
    if not all_projects:
        lacking = sorted({p.key for p in found} - set(
            environments.filter(project__in=found).values_list("project__key", flat=True)))
        if lacking and not missing:
            errors["environment"] = f"{', '.join(lacking)} has no environment {environment!r}."
    elif not environments.exists():
        errors["environment"] = f"No project has an environment {environment!r}."
    if errors:
        raise ValidationFailed(errors)
    secret = tokens.new_secret([p.key for p in found], environment, all_projects)
    user = actor.user if getattr(actor.user, "pk", None) else None
    token = ClientToken.objects.create(
        kind=kind, name=(name or f"{kind} token").strip()[:100], environment=environment,
        all_projects=all_projects, prefix=tokens.display_prefix(secret),
        token_hash=tokens.hash_token(secret), created_by=user)
    token.projects.set(found)
    tokens.forget_tokens()
    transaction.on_commit(tokens.forget_tokens)
    propagation.announce(propagation.TOKENS)
    audit_record(actor=actor, action="flag_token.create", obj=token,
                 after={"kind": kind, "name": token.name, "environment": environment,
                        "projects": ["*"] if all_projects else sorted(p.key for p in found)})
    return token, secret


@transaction.atomic
def client_token_revoke(*, token: ClientToken, actor: Actor) -> ClientToken:
    """Revoke a token; SDKs using it get 401 from the next request on."""
    require(actor, MANAGE)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        tokens.forget_tokens()
        transaction.on_commit(tokens.forget_tokens)
        propagation.announce(propagation.TOKENS)  # other processes end its streams at once
        audit_record(actor=actor, action="flag_token.revoke", obj=token,
                     after={"revoked_at": token.revoked_at})
    return token


# -- housekeeping --------------------------------------------------------------------------


@transaction.atomic
def change_events_prune(*, now=None) -> int:
    """Delete change events older than the retention; SDKs behind that get a full state."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.FLAGS_EVENT_RETENTION_DAYS)
    old = ChangeEvent.objects.filter(created_at__lt=cutoff)
    newest_dropped = old.order_by("-revision").values_list("revision", flat=True).first()
    if newest_dropped is None:
        return 0
    deleted, _ = ChangeEvent.objects.filter(revision__lte=newest_dropped).delete()
    RevisionSequence.objects.filter(pk=1).update(pruned_below=newest_dropped + 1)
    return deleted
