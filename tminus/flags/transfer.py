"""Import and export of an environment's flags in the shape of Unleash's /api/client/features.

An import replaces the flags of one environment with those of the file, in one transaction.
A file whose shape is wrong changes nothing. Definitions that SDKs would evaluate as "off"
(a regex that does not compile, a segment that does not exist ...) are imported as they are,
as Unleash served them, and reported as warnings.
"""

from dataclasses import dataclass, field

from django.db import transaction
from tminus_client.engine import apply_delta, validate_state

from tminus.accounts.permissions import require
from tminus.accounts.roles import MANAGE
from tminus.audit.services import audit_record
from tminus.core.actors import Actor
from tminus.core.errors import ValidationFailed
from tminus.flags import client_state, revisions, services, validation
from tminus.flags.choices import ChangeKind, FlagType
from tminus.flags.models import (
    Environment,
    Flag,
    FlagDependency,
    FlagEnvironment,
    Project,
    Segment,
    Strategy,
)

MAX_PROBLEMS = 20


@dataclass
class ImportResult:
    project: Project
    environment: Environment
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def flags_import(*, project_key: str, environment_key: str, state, actor: Actor
                 ) -> ImportResult:
    """Replace an environment's flags with a features state (creating project and environment)."""
    require(actor, MANAGE)
    state = _full_state(state)
    problems = shape_problems(state)
    if problems:
        raise ValidationFailed({"file": problems[:MAX_PROBLEMS]})
    _check_names(state, project_key)
    with transaction.atomic():
        result = _replace(project_key, environment_key, state, actor)
    result.warnings = validate_state(state)
    return result


def _full_state(state) -> dict:
    """A delta payload (`{"events": [...]}`) becomes the state it describes."""
    if isinstance(state, dict) and "events" in state and "features" not in state:
        try:
            return apply_delta({"version": 2, "features": [], "segments": []}, state)
        except ValueError as error:  # the engine's StateError
            raise ValidationFailed({"file": str(error)}) from None
    return state


def flags_export(*, project_key: str, environment_key: str) -> dict:
    """An environment's flags as a features state, ready for `flags_import` or Unleash SDKs."""
    environment = Environment.objects.filter(project__key=project_key,
                                             key=environment_key).first()
    if environment is None:
        raise ValidationFailed({"environment": f"Project {project_key!r} has no environment "
                                               f"{environment_key!r}."})
    query = client_state.Query(environment_ids=(environment.pk,), environment=environment.key,
                               projects=(project_key,))
    body = client_state.build_state(query, environment.revision)
    return {"version": body["version"], "features": body["features"],
            "segments": body["segments"]}


# -- checking ------------------------------------------------------------------------------


def shape_problems(state) -> list[str]:
    """What makes a file unreadable as a features state; empty when it can be imported."""
    if not isinstance(state, dict):
        return ["The file must hold a JSON object with a `features` list."]
    if not isinstance(state.get("features"), list):
        return ["`features` must be a list."]
    problems = _list_of_objects(state.get("segments"), "segments")
    for index, segment in enumerate(state.get("segments") or []):
        if isinstance(segment, dict):
            problems += _segment_problems(segment, f"segments[{index}]")
    names = set()
    for index, feature in enumerate(state["features"]):
        where = f"features[{index}]"
        if not isinstance(feature, dict):
            problems.append(f"{where} must be an object.")
            continue
        problems += _feature_problems(feature, where)
        if feature.get("name") in names:
            problems.append(f"{where}: flag {feature.get('name')!r} appears twice.")
        names.add(feature.get("name"))
    return problems


def _segment_problems(segment: dict, where: str) -> list[str]:
    problems = []
    if not isinstance(segment.get("id"), int) or isinstance(segment.get("id"), bool):
        problems.append(f"{where}.id must be a whole number.")
    problems += _list_of_objects(segment.get("constraints"), f"{where}.constraints")
    return problems


def _feature_problems(feature: dict, where: str) -> list[str]:
    name = feature.get("name")
    if not isinstance(name, str):
        return [f"{where}.name must be a string."]
    where = f"flag {name!r}"
    problems = []
    try:
        validation.check_flag_key(name)
    except ValidationFailed as error:
        problems.append(f"{where}: {error.errors['key'][0]}")
    if not isinstance(feature.get("enabled"), bool):
        problems.append(f"{where}: enabled must be true or false.")
    for key in ("strategies", "variants", "dependencies"):
        problems += _list_of_objects(feature.get(key), f"{where}: {key}")
    for index, strategy in enumerate(feature.get("strategies") or []):
        if isinstance(strategy, dict):
            problems += _strategy_problems(strategy, f"{where}: strategies[{index}]")
    for index, dependency in enumerate(feature.get("dependencies") or []):
        if isinstance(dependency, dict) and not isinstance(dependency.get("feature"), str):
            problems.append(f"{where}: dependencies[{index}].feature must be a flag name.")
    return problems


def _strategy_problems(strategy: dict, where: str) -> list[str]:
    problems = []
    if not isinstance(strategy.get("name"), str) or not strategy["name"]:
        problems.append(f"{where}.name must be a strategy name.")
    if strategy.get("parameters") is not None and not isinstance(strategy["parameters"], dict):
        problems.append(f"{where}.parameters must be an object.")
    problems += _list_of_objects(strategy.get("constraints"), f"{where}.constraints")
    problems += _list_of_objects(strategy.get("variants"), f"{where}.variants")
    segments = strategy.get("segments")
    if segments is not None and (not isinstance(segments, list) or not all(
            isinstance(s, int) and not isinstance(s, bool) for s in segments)):
        problems.append(f"{where}.segments must be a list of segment ids.")
    return problems


def _list_of_objects(value, where: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        return [f"{where} must be a list of objects."]
    return []


def _check_names(state: dict, project_key: str) -> None:
    names = [feature["name"] for feature in state["features"]]
    elsewhere = (Flag.objects.filter(key__in=names).exclude(project__key=project_key)
                 .values_list("key", "project__key"))
    problems = [f"flag {key!r} belongs to project {project!r}; flag names are unique across "
                "projects." for key, project in elsewhere]
    if problems:
        raise ValidationFailed({"file": problems[:MAX_PROBLEMS]})


# -- writing -------------------------------------------------------------------------------


def _replace(project_key: str, environment_key: str, state: dict, actor: Actor) -> ImportResult:
    project = (Project.objects.filter(key=project_key).first()
               or services.project_create(key=project_key, actor=actor))
    environment = (project.environments.filter(key=environment_key).first()
                   or services.environment_create(project=project, key=environment_key,
                                                  actor=actor))
    result = ImportResult(project=project, environment=environment)
    segment_ids = _import_segments(project, state.get("segments") or [])
    served = {s.flag.key: s for s in FlagEnvironment.objects.filter(
        environment=environment).select_related("flag")}
    for feature in state["features"]:
        flag, created = _import_flag(project, feature)
        (result.created if created else result.updated).append(flag.key)
        _import_flag_state(flag, environment, feature, segment_ids)
        _import_dependencies(flag, feature.get("dependencies") or [])
        services.audit_flag(actor, "flag.import", flag, after={"environment": environment.key,
                                                           "enabled": feature["enabled"]})
    imported = {feature["name"] for feature in state["features"]}
    result.removed = sorted(set(served) - imported)
    FlagEnvironment.objects.filter(environment=environment,
                                   flag__key__in=result.removed).delete()
    changes = [(ChangeKind.SEGMENT_UPDATED, str(pk)) for pk in segment_ids.values() if pk > 0]
    changes += [(ChangeKind.FEATURE_UPDATED, name) for name in sorted(imported)]
    changes += [(ChangeKind.FEATURE_REMOVED, name) for name in result.removed]
    revisions.record_changes([environment.pk], changes)
    audit_record(actor=actor, action="flags.import", obj=environment,
                 after={"created": result.created, "updated": result.updated,
                        "removed": result.removed})
    return result


def _import_segments(project: Project, segments: list[dict]) -> dict[int, int]:
    """Create or update the file's segments; map each file id to a stored segment id."""
    mapping = {}
    for spec in segments:
        name = str(spec.get("name") or f"{project.key} segment {spec['id']}")[:200]
        segment, _ = Segment.objects.update_or_create(
            name=name, defaults={"constraints": spec.get("constraints") or [],
                                 "description": spec.get("description") or "",
                                 "project": None if spec.get("name") else project})
        mapping[spec["id"]] = segment.pk
    return mapping


def _import_flag(project: Project, feature: dict) -> tuple[Flag, bool]:
    flag_type = feature.get("type")
    values = {
        "description": feature.get("description") or "",
        "flag_type": flag_type if flag_type in FlagType.values else FlagType.RELEASE,
        "impression_data": feature.get("impressionData") is True,
        "stale": feature.get("stale") is True,
        "archived_at": None,
    }
    flag, created = Flag.objects.update_or_create(key=feature["name"], project=project,
                                                  defaults=values)
    return flag, created


def _import_flag_state(flag: Flag, environment: Environment, feature: dict,
                       segment_ids: dict[int, int]) -> None:
    state, _ = FlagEnvironment.objects.update_or_create(
        flag=flag, environment=environment,
        defaults={"enabled": feature["enabled"], "variants": feature.get("variants") or []})
    state.strategies.all().delete()
    Strategy.objects.bulk_create(
        Strategy(state=state, name=spec["name"], title=spec.get("title") or "",
                 parameters=spec.get("parameters") or {},
                 constraints=spec.get("constraints") or [],
                 # A segment the file does not define stays missing: see Strategy.segments.
                 segments=[segment_ids.get(i, -abs(i) or -1) for i in spec.get("segments") or []],
                 variants=spec.get("variants") or [], sort_order=order)
        for order, spec in enumerate(feature.get("strategies") or []))


def _import_dependencies(flag: Flag, dependencies: list[dict]) -> None:
    flag.dependencies.all().delete()
    FlagDependency.objects.bulk_create(
        FlagDependency(flag=flag, parent_key=spec["feature"],
                       enabled=spec.get("enabled", True) is not False,
                       variants=spec.get("variants") or [])
        for spec in {d["feature"]: d for d in dependencies}.values())
