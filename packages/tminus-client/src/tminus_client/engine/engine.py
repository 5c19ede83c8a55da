"""The flag engine: a features state, compiled once, answering is_enabled and get_variant."""

import socket
import threading
from collections.abc import Callable, Mapping
from typing import Any

from .compilation import Compilation, CustomStrategy
from .errors import EvaluationErrors
from .evaluators import Tally
from .features import CompiledFeature, broken_feature, compile_feature, counting_evaluator
from .predicates import Predicate
from .state import Changes, FeatureStore, events_of, read_state
from .variants import disabled_variant

_EMPTY_CONTEXT: Mapping[str, Any] = {}


class FlagEngine:
    """Evaluates Unleash-compatible feature flags.

    Give it a features state in the shape of ``GET /api/client/features`` (or a delta payload).
    The state is compiled when it is loaded or updated, so evaluating only reads the context.
    Evaluation never raises: whatever cannot be evaluated answers "off" and is counted in
    ``errors``. Loading and updating are thread-safe; evaluation takes no lock.

    ``static_context`` fills fields a caller's context leaves out (e.g. ``appName``);
    ``custom_strategies`` maps strategy names to ``fn(parameters, context) -> bool``.
    ``tally(name)`` gives a flag's (yes, no) counters: the engine then also keeps, in
    ``counted``, an evaluator per flag that counts its answers (``is_enabled`` never counts).
    """

    def __init__(
        self,
        state: Mapping[str, Any] | None = None,
        *,
        static_context: Mapping[str, Any] | None = None,
        hostname: str | None = None,
        custom_strategies: Mapping[str, CustomStrategy] | None = None,
        tally: Callable[[str], tuple[Tally, Tally]] | None = None,
    ) -> None:
        self.errors = EvaluationErrors()
        self._static_context = dict(static_context or {})
        self._hostname = hostname if hostname is not None else socket.gethostname()
        self._custom_strategies = dict(custom_strategies or {})
        self._store = FeatureStore()
        self._features: dict[str, CompiledFeature] = {}
        # Each flag's is_enabled function by name: one lookup less on the hottest path.
        self._evaluators: dict[str, Predicate] = {}
        self._tally = tally
        self.counted: dict[str, Predicate] = {}
        self._warnings: dict[str, list[str]] = {}
        self._update_lock = threading.Lock()
        if state is not None:
            self.load(state)

    # -- evaluation -------------------------------------------------------------------------

    def is_enabled(
        self, name: str, context: Mapping[str, Any] | None = None, default: bool = False
    ) -> bool:
        """Whether flag ``name`` is on for ``context``; ``default`` if the flag is unknown."""
        try:
            try:
                evaluate = self._evaluators[name]  # a subscript costs less than .get()
            except KeyError:
                return default
            return evaluate(_EMPTY_CONTEXT if context is None else context)
        except Exception as exc:
            self.errors.record(f"flag {name!r} could not be evaluated: {exc!r}")
            return False

    def get_variant(self, name: str, context: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """The variant of flag ``name`` for ``context``: name, payload, enabled, feature_enabled."""
        try:
            feature = self._features.get(name)
            if feature is None:
                return disabled_variant(False)
            return feature.variant(_EMPTY_CONTEXT if context is None else context)
        except Exception as exc:
            self.errors.record(f"flag {name!r} could not be evaluated: {exc!r}")
            return disabled_variant(False)

    # -- state ------------------------------------------------------------------------------

    def load(self, state: Mapping[str, Any]) -> None:
        """Replace every definition with ``state``; raise StateError if it is malformed."""
        store = read_state(state)
        with self._update_lock:
            self._install(store, None)

    def apply_delta(self, delta: Mapping[str, Any] | list[Any]) -> None:
        """Apply delta events (``{"events": [...]}``) all together, or none if one is malformed."""
        events = events_of(delta)
        with self._update_lock:
            store = self._store.copy()
            changed = store.apply_events(events)
            self._install(store, changed)

    def state(self) -> dict[str, Any]:
        """The definitions currently loaded, as a features response."""
        return self._store.to_state()

    @property
    def event_id(self) -> int | None:
        """The id of the last delta event applied, if any."""
        return self._store.event_id

    @property
    def warnings(self) -> list[str]:
        """Problems found in the loaded definitions; each one is off when evaluated."""
        return [message for messages in self._warnings.values() for message in messages]

    def names(self) -> list[str]:
        """The names of every flag loaded."""
        return list(self._features)

    def feature(self, name: str) -> CompiledFeature | None:
        """The compiled flag called ``name``, for callers that need its metadata."""
        return self._features.get(name)

    def __contains__(self, name: object) -> bool:
        return name in self._features

    def __len__(self) -> int:
        return len(self._features)

    def _install(self, store: FeatureStore, changed: Changes) -> None:
        if changed is None:
            features: dict[str, CompiledFeature] = {}
            warnings: dict[str, list[str]] = {}
            counted: dict[str, Predicate] = {}
            changed = set(store.features)
        else:
            features, warnings = dict(self._features), dict(self._warnings)
            counted = dict(self.counted)
        for name in changed:
            spec = store.features.get(name)
            if spec is None:
                features.pop(name, None)
                warnings.pop(name, None)
                counted.pop(name, None)
                continue
            features[name], warnings[name] = self._compile(spec, store)
            if self._tally is not None:
                counted[name] = counting_evaluator(features[name], *self._tally(name))
        evaluators = {name: feature.is_enabled for name, feature in features.items()}
        # Readers see either the old table or the new one, never a half-built one.
        self._store, self._features, self._warnings = store, features, warnings
        self._evaluators, self.counted = evaluators, counted

    def _compile(
        self, spec: Mapping[str, Any], store: FeatureStore
    ) -> tuple[CompiledFeature, list[str]]:
        compilation = Compilation(
            defaults=self._static_context,
            errors=self.errors,
            hostname=self._hostname,
            custom_strategies=self._custom_strategies,
        )
        try:
            feature = compile_feature(spec, store.segments, compilation, self._lookup)
        except Exception as exc:
            # Definitions too malformed for the checks above must not stop the other flags.
            reason = f"flag {spec['name']!r} could not be compiled: {exc!r}"
            feature = broken_feature(spec["name"], reason, compilation)
        return feature, compilation.warnings

    def _lookup(self, name: str) -> CompiledFeature | None:
        return self._features.get(name)
