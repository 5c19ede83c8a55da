"""The stock Unleash SDK's evaluation engine, used as the reference our engine must agree with."""

import json
from dataclasses import asdict

from yggdrasil_engine.engine import UnleashEngine


class ReferenceEngine:
    """Unleash's own engine (the one inside the UnleashClient package), loaded with a state."""

    def __init__(self, state: dict) -> None:
        self._engine = UnleashEngine()
        self._engine.take_state(json.dumps(state))

    def is_enabled(self, name: str, context: dict) -> bool:
        return self._engine.is_enabled(name, context).is_enabled

    def get_variant(self, name: str, context: dict) -> dict:
        variant = self._engine.get_variant(name, context).variant
        return {key: value for key, value in asdict(variant).items() if value is not None}
