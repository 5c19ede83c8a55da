"""Evaluating flags on the server, always with the shared engine (tminus_client.engine).

Used by the frontend API (browsers and phones get answers, not definitions) and by the
"who gets what" page. Engines are compiled once per environment set and revision.
"""

import json
import weakref
from dataclasses import dataclass

from tminus_client.engine import FlagEngine

from tminus.flags import client_state
from tminus.flags.client_state import BoundedCache, Query, built_once
from tminus.flags.models import Environment, Flag

_engines = BoundedCache(size=64)
CONTEXT_FIELDS = ("userId", "sessionId", "remoteAddress", "currentTime", "appName",
                  "environment")


def engine_for(query: Query, revision: int, hostname: str | None = None) -> FlagEngine:
    """The engine loaded with a query's state at a revision (compiled once, then reused)."""
    return built_once(_engines, (query, revision, hostname),
                      lambda: _compile(query, revision, hostname))


def _compile(query: Query, revision: int, hostname: str | None) -> FlagEngine:
    hydration = _hydration(query, revision)
    _stable.put((query, revision), stable_answers(hydration))
    return FlagEngine({"version": 2, **hydration}, hostname=hostname)


# -- answers remembered per context ----------------------------------------------------------
# A browser asks again and again with the same context (the same sessionId, mostly) while
# nothing changes. When a state answers the same context always the same way, the frontend
# fast path keeps the answer (and its ETag) per context and revision instead of evaluating.

_stable = BoundedCache(size=64)
answers = BoundedCache(size=10_000)
_STICKY_DEFAULTS = (None, "", "default")


def stable_answers(hydration: dict) -> bool:
    """Whether a state answers a context with a userId or sessionId the same way every time:
    no dates (the answer changes with time), no random stickiness or random rollout."""
    segments = {s["id"]: s.get("constraints") or [] for s in hydration.get("segments") or []}
    for feature in hydration.get("features") or []:
        if not _variants_stable(feature.get("variants")):
            return False
        for strategy in feature.get("strategies") or []:
            parameters = strategy.get("parameters") or {}
            constraints = list(strategy.get("constraints") or [])
            for segment_id in strategy.get("segments") or []:
                constraints += segments.get(segment_id, [])
            if (strategy.get("name") == "gradualRolloutRandom"
                    or parameters.get("stickiness") not in _STICKY_DEFAULTS
                    or not _variants_stable(strategy.get("variants"))
                    or any(_timed(c) for c in constraints)):
                return False
    return True


def _variants_stable(variants) -> bool:
    return all(v.get("stickiness") in _STICKY_DEFAULTS for v in variants or [])


def _timed(constraint: dict) -> bool:
    return (constraint.get("contextName") == "currentTime"
            or str(constraint.get("operator", "")).startswith("DATE_"))


def answer_key(query: Query, revision: int, context: dict):
    """The key under which an answer for this context may be kept, or None when it may not
    (the state is not stable, or the context has neither userId nor sessionId, so default
    stickiness would toss a coin)."""
    if not (context.get("userId") or context.get("sessionId")):
        return None
    if not _stable.get((query, revision)):
        return None
    properties = context.get("properties") or {}
    fields = tuple(sorted((k, v) for k, v in context.items() if k != "properties"))
    return query, revision, fields, tuple(sorted(properties.items()))


def _hydration(query: Query, revision: int) -> dict:
    event = client_state.hydration_event(query, revision)
    return {"features": event["features"], "segments": event["segments"]}


def frontend_toggles(query: Query, revision: int, context: dict,
                     include_off: bool = False) -> list[dict]:
    """The flags that are on for a context (with `include_off`, every flag), with their
    variants, as Unleash's frontend API."""
    return toggles_of(engine_for(query, revision), context, include_off)


def cached_engine(query: Query, revision: int) -> FlagEngine | None:
    """The compiled engine if this process has it already; never builds (the fast path)."""
    return _engines.get((query, revision, None))


def toggles_of(engine: FlagEngine, context: dict, include_off: bool = False) -> list[dict]:
    """The frontend toggles an engine gives a context."""
    toggles = []
    for name in engine.names():
        # One evaluation per flag: the variant says whether the flag is on, too.
        variant = engine.get_variant(name, context)
        if variant["feature_enabled"] or include_off:
            toggles.append(_toggle_of(engine.feature(name), variant))
    return toggles


def toggles_json(engine: FlagEngine, context: dict) -> bytes:
    """`{"toggles": toggles_of(engine, context)}` as compact JSON, byte for byte.

    A flag without variants that is on always shows the same toggle, so its JSON is made once
    per engine and only the flag's answer is evaluated per request: a first visit costs little
    more than the evaluations.
    """
    made = _toggle_json.get(engine)
    if made is None:
        made = _toggle_json[engine] = {}
    parts = []
    for name in engine.names():
        part = made.get(name)
        if part is not None:
            if engine.is_enabled(name, context):
                parts.append(part)
            continue
        variant = engine.get_variant(name, context)
        if not variant["feature_enabled"]:
            continue
        feature = engine.feature(name)
        part = json.dumps(_toggle_of(feature, variant), separators=(",", ":")).encode()
        if not feature.has_variants:
            made[name] = part
        parts.append(part)
    return b'{"toggles":[' + b",".join(parts) + b"]}"


# The JSON of each variantless flag's "on" toggle, per engine (gone with the engine).
_toggle_json: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def frontend_toggle(query: Query, revision: int, context: dict, name: str) -> dict | None:
    """One flag's toggle if it is on for the context, else None."""
    engine = engine_for(query, revision)
    if engine.feature(name) is None:
        return None
    variant = engine.get_variant(name, context)
    return _toggle_of(engine.feature(name), variant) if variant["feature_enabled"] else None


def _toggle_of(feature, variant: dict) -> dict:
    return {"name": feature.name, "enabled": bool(variant["feature_enabled"]),
            "variant": frontend_variant(variant), "impressionData": feature.impression_data}


def frontend_variant(variant: dict) -> dict:
    """A variant as the frontend API shows it (both spellings of feature_enabled)."""
    shown = {"name": variant.get("name", "disabled"), "enabled": bool(variant.get("enabled")),
             "feature_enabled": bool(variant.get("feature_enabled")),
             "featureEnabled": bool(variant.get("feature_enabled"))}
    if variant.get("payload") is not None:
        shown["payload"] = variant["payload"]
    return shown


@dataclass
class Verdict:
    """What one environment answers for a flag and a context, and why."""

    environment: Environment
    enabled: bool
    variant: dict
    reason: str
    matched_strategy: int | None = None  # position in the environment's strategy list


def who_gets_what(flag: Flag, context: dict, hostname: str | None = None) -> list[Verdict]:
    """The flag's answer for a context in each environment of its project."""
    verdicts = []
    for environment in flag.project.environments.all():
        query = Query(environment_ids=(environment.pk,), environment=environment.key,
                      projects=(flag.project.key,))
        engine = engine_for(query, environment.revision, hostname)
        verdicts.append(_verdict(engine, flag.key, environment, context))
    return verdicts


def _verdict(engine: FlagEngine, name: str, environment: Environment, context: dict) -> Verdict:
    enabled = engine.is_enabled(name, context)
    variant = engine.get_variant(name, context)
    feature = engine.feature(name)
    if feature is None:
        return Verdict(environment, False, variant, "not served in this environment")
    if not feature.enabled:
        return Verdict(environment, False, variant, "switched off in this environment")
    if feature.parents_satisfied is not None and not feature.parents_satisfied(context):
        return Verdict(environment, False, variant, "a flag it depends on is not satisfied")
    if not feature.strategies:
        return Verdict(environment, enabled, variant, "on, with no strategies: everyone")
    for index, strategy in enumerate(feature.strategies):
        if strategy.matches(context):
            return Verdict(environment, enabled, variant,
                           f"strategy {index + 1} ({strategy.name}) matched", index)
    return Verdict(environment, False, variant, "no strategy matched")


def context_from_form(values: dict, properties_text: str) -> dict:
    """An Unleash context from typed fields and `name=value` property lines."""
    context = {key: value for key, value in values.items() if key in CONTEXT_FIELDS and value}
    properties = {}
    for line in (properties_text or "").splitlines():
        name, sep, value = line.partition("=")
        if sep and name.strip():
            properties[name.strip()] = value.strip()
    if properties:
        context["properties"] = properties
    return context


def clear_engines() -> None:
    _engines.clear()
    _stable.clear()
    answers.clear()
