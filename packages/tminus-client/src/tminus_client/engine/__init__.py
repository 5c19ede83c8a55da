"""Unleash-compatible feature flag evaluation, in pure Python.

The one implementation of flag evaluation in T-Minus, shared by the server and the SDK::

    engine = FlagEngine(state)                     # a GET /api/client/features response
    engine.is_enabled("checkout", {"userId": "42"})
    engine.get_variant("checkout", {"userId": "42"})
    engine.apply_delta({"events": [...]})          # delta events, as streamed to SDKs
    validate_strategy(strategy_dict)               # -> list of readable problems
"""

from .constraints import OPERATORS
from .engine import FlagEngine
from .errors import DefinitionError, EvaluationErrors, StateError
from .hashing import STRATEGY_SEED, VARIANT_SEED, normalized_hash
from .regex_syntax import UnsupportedRegexError, compile_regex
from .semver import parse_semver
from .state import apply_delta, events_of
from .strategies import BUILT_IN_STRATEGIES
from .validation import (
    PAYLOAD_TYPES,
    validate_constraint,
    validate_state,
    validate_strategy,
    validate_variants,
)
from .variants import disabled_variant

__all__ = [
    "BUILT_IN_STRATEGIES",
    "OPERATORS",
    "PAYLOAD_TYPES",
    "STRATEGY_SEED",
    "VARIANT_SEED",
    "DefinitionError",
    "EvaluationErrors",
    "FlagEngine",
    "StateError",
    "UnsupportedRegexError",
    "apply_delta",
    "compile_regex",
    "disabled_variant",
    "events_of",
    "normalized_hash",
    "parse_semver",
    "validate_constraint",
    "validate_state",
    "validate_strategy",
    "validate_variants",
]
