"""Import and export of an environment's flags in the shape of Unleash's /api/client/features.

An import replaces the flags of one environment with those of the file, in one transaction.
A file whose shape is wrong changes nothing. Definitions that SDKs would evaluate as "off"
(a regex that does not compile, a segment that does not exist ...) are imported as they are,
as Unleash served them, and reported as warnings.
"""

import json
from dataclasses import dataclass, field

import yaml
from django.conf import settings
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
SEGMENT_NAME_LIMIT = 200  # Segment.name


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
    problems = (_key_problems(project_key, environment_key) or _structure_problems(state)
                or shape_problems(state))
    if problems:
        raise ValidationFailed(problems)
    _check_names(state, project_key)
    with transaction.atomic():
        result = _replace(project_key, environment_key, state, actor)
    result.warnings = validate_state(state) + _type_warnings(state)
    return result


def _type_warnings(state: dict) -> list[str]:
    return [f"flag {feature['name']!r}: type {feature['type']!r} is not one of "
            f"{', '.join(FlagType.values)}; imported as release"
            for feature in state["features"]
            if feature.get("type") is not None and feature["type"] not in FlagType.values]


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


# -- reading a file ------------------------------------------------------------------------

MAX_DEPTH = 20  # a features state nests 8 levels deep (features > strategies > constraints …)


class _NoAliasLoader(yaml.SafeLoader):
    """Safe YAML without aliases: `*name` can expand a few hundred bytes into millions of
    nodes, and a features state never needs one."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.YAMLError(f"line {event.start_mark.line + 1}: YAML aliases "
                                 f"(*{event.anchor}) are not accepted; write the values out.")
        return super().compose_node(parent, index)


def state_read(data: bytes, *, name: str):
    """The features state in a file: JSON, or YAML when the name ends in .yaml/.yml.

    Refused with one clear message (and nothing read further) when the file is over
    TMINUS_FLAGS_IMPORT_MAX_BYTES, not UTF-8, not JSON/YAML, uses YAML aliases or nests deeper
    than a features state does.
    """
    limit = settings.FLAGS_IMPORT_MAX_BYTES
    if len(data) > limit:
        raise ValidationFailed({"file": f"{name} is over {limit:,} bytes, the largest import "
                                        f"allowed (TMINUS_FLAGS_IMPORT_MAX_BYTES)."})
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ValidationFailed({"file": f"{name} is not UTF-8 text (byte {error.start} cannot "
                                        f"be read)."}) from None
    as_yaml = name.lower().endswith((".yaml", ".yml"))
    try:
        state = yaml.load(text, Loader=_NoAliasLoader) if as_yaml else json.loads(text)
    except RecursionError:
        raise ValidationFailed({"file": f"{name} nests deeper than {MAX_DEPTH} levels; a "
                                        f"features state does not."}) from None
    except yaml.YAMLError as error:
        raise ValidationFailed({"file": f"{name} is not YAML: {error}"}) from None
    except ValueError as error:
        raise ValidationFailed({"file": f"{name} is not JSON: {error}."}) from None
    return state


def _structure_problems(value) -> dict[str, str]:
    """Nesting deeper than a features state has, or a number no SDK can hold (JSON itself has
    no limits), at the path of the first such value; checked without recursion."""
    stack = [(value, "", 0)]
    while stack:
        item, path, depth = stack.pop()
        if isinstance(item, int) and not isinstance(item, bool) and not -2**63 <= item < 2**63:
            return {path or "file": "is a number too large for a 64-bit integer."}
        if not isinstance(item, dict | list):
            continue
        if depth >= MAX_DEPTH:
            return {path: f"nests deeper than {MAX_DEPTH} levels; a features state does not."}
        if isinstance(item, dict):
            stack += [(child, f"{path}.{key}" if path else str(key), depth + 1)
                      for key, child in item.items()]
        else:
            stack += [(child, f"{path}[{index}]", depth + 1) for index, child in enumerate(item)]
    return {}


# -- checking ------------------------------------------------------------------------------

_SCALARS = (str, int, float, bool)


class _Problems(dict):
    """Problems by the path of the field they are about (features[2].strategies[0].name)."""

    def add(self, path: str, message: str) -> None:
        if len(self) < MAX_PROBLEMS:
            self.setdefault(path, []).append(message)

    def text(self, path: str, value, *, limit: int, required: bool = False) -> None:
        if value is None and not required:
            return
        if not isinstance(value, str):
            self.add(path, "must be text.")
        elif len(value) > limit:
            self.add(path, f"has {len(value)} characters; at most {limit} are kept.")

    def boolean(self, path: str, value) -> None:
        if value is not None and not isinstance(value, bool):
            self.add(path, "must be true or false.")

    def objects(self, path: str, value) -> list:
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
            self.add(path, "must be a list of objects.")
            return []
        return value


def shape_problems(state) -> dict[str, list[str]]:
    """What keeps a file from being imported as a features state, by field; empty when none."""
    problems = _Problems()
    if not isinstance(state, dict):
        problems.add("file", "must hold an object with a `features` list.")
        return problems
    if not isinstance(state.get("features"), list):
        problems.add("features", "must be a list.")
        return problems
    _segments_problems(state.get("segments"), problems)
    names = set()
    for index, feature in enumerate(state["features"]):
        where = f"features[{index}]"
        if not isinstance(feature, dict):
            problems.add(where, "must be an object.")
            continue
        _feature_problems(feature, where, problems)
        if isinstance(feature.get("name"), str):
            if feature["name"] in names:
                problems.add(f"{where}.name", f"flag {feature['name']!r} appears twice.")
            names.add(feature["name"])
    return problems


def _segments_problems(segments, problems: _Problems) -> None:
    ids, names = set(), set()
    for index, segment in enumerate(problems.objects("segments", segments)):
        where = f"segments[{index}]"
        segment_id, name = segment.get("id"), segment.get("name")
        if not isinstance(segment_id, int) or isinstance(segment_id, bool):
            problems.add(f"{where}.id", "must be a whole number.")
        elif segment_id in ids:
            problems.add(f"{where}.id", f"segment {segment_id} appears twice.")
        ids.add(segment_id)
        problems.text(f"{where}.name", name, limit=SEGMENT_NAME_LIMIT)
        if isinstance(name, str) and name in names:
            problems.add(f"{where}.name", f"segment {name!r} appears twice.")
        names.add(name)
        problems.text(f"{where}.description", segment.get("description"), limit=10_000)
        problems.objects(f"{where}.constraints", segment.get("constraints"))


def _feature_problems(feature: dict, where: str, problems: _Problems) -> None:
    name = feature.get("name")
    if not isinstance(name, str):
        problems.add(f"{where}.name", "must be the flag's name (text).")
    else:
        try:
            validation.check_flag_key(name)
        except ValidationFailed as error:
            problems.add(f"{where}.name", error.errors["key"][0])
    if not isinstance(feature.get("enabled"), bool):
        problems.add(f"{where}.enabled", "must be true or false.")
    problems.text(f"{where}.description", feature.get("description"), limit=10_000)
    problems.text(f"{where}.type", feature.get("type"), limit=20)
    problems.boolean(f"{where}.stale", feature.get("stale"))
    problems.boolean(f"{where}.impressionData", feature.get("impressionData"))
    for index, strategy in enumerate(problems.objects(f"{where}.strategies",
                                                      feature.get("strategies"))):
        _strategy_problems(strategy, f"{where}.strategies[{index}]", problems)
    _variants_problems(feature.get("variants"), f"{where}.variants", problems)
    for index, dependency in enumerate(problems.objects(f"{where}.dependencies",
                                                        feature.get("dependencies"))):
        path = f"{where}.dependencies[{index}]"
        problems.text(f"{path}.feature", dependency.get("feature"), limit=255, required=True)
        problems.boolean(f"{path}.enabled", dependency.get("enabled"))
        variants = dependency.get("variants")
        if variants is not None and (not isinstance(variants, list) or not all(
                isinstance(v, str) for v in variants)):
            problems.add(f"{path}.variants", "must be a list of variant names.")


def _strategy_problems(strategy: dict, where: str, problems: _Problems) -> None:
    problems.text(f"{where}.name", strategy.get("name"), limit=100, required=True)
    problems.text(f"{where}.title", strategy.get("title"), limit=200)
    parameters = strategy.get("parameters")
    if parameters is not None and (not isinstance(parameters, dict) or not all(
            isinstance(value, _SCALARS) for value in parameters.values())):
        problems.add(f"{where}.parameters", "must be an object of texts and numbers.")
    problems.objects(f"{where}.constraints", strategy.get("constraints"))
    _variants_problems(strategy.get("variants"), f"{where}.variants", problems)
    segments = strategy.get("segments")
    if segments is not None and (not isinstance(segments, list) or not all(
            isinstance(s, int) and not isinstance(s, bool) for s in segments)):
        problems.add(f"{where}.segments", "must be a list of segment ids.")


def _variants_problems(variants, where: str, problems: _Problems) -> None:
    for index, variant in enumerate(problems.objects(where, variants)):
        problems.text(f"{where}[{index}].name", variant.get("name"), limit=255, required=True)
        payload = variant.get("payload")
        if payload is not None and not isinstance(payload, dict):
            problems.add(f"{where}[{index}].payload", "must be an object with type and value.")


def _key_problems(project_key: str, environment_key: str) -> dict[str, str]:
    problems = {}
    for kind, key in (("project", project_key), ("environment", environment_key)):
        if not key or len(key) > 100 or not validation.KEY_PATTERN.match(key):
            problems[kind] = (f"{(key or '')[:40]!r} is not a {kind} key: up to 100 "
                              f"characters, no spaces or slashes.")
    return problems


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
        services.audit_flag(actor, "flag.import", flag, after={"enabled": feature["enabled"]},
                            environment=environment)
    imported = {feature["name"] for feature in state["features"]}
    result.removed = sorted(set(served) - imported)
    FlagEnvironment.objects.filter(environment=environment,
                                   flag__key__in=result.removed).delete()
    changes = [(ChangeKind.SEGMENT_UPDATED, str(pk)) for pk in segment_ids.values() if pk > 0]
    changes += [(ChangeKind.FEATURE_UPDATED, name) for name in sorted(imported)]
    changes += [(ChangeKind.FEATURE_REMOVED, name) for name in result.removed]
    revisions.record_changes([environment.pk], changes)
    audit_record(actor=actor, action="flags.import", obj=environment,
                 project=environment.project.key, environment=environment.key,
                 after={"created": result.created, "updated": result.updated,
                        "removed": result.removed})
    return result


def _import_segments(project: Project, segments: list[dict]) -> dict[int, int]:
    """Create or update the file's segments; map each file id to a stored segment id."""
    mapping = {}
    for spec in segments:
        name = spec.get("name") or f"{project.key} segment {spec['id']}"[:SEGMENT_NAME_LIMIT]
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
