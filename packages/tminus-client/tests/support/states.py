"""Small feature states used across the client tests."""

from typing import Any


def checkout_state(*, enabled: bool = True) -> dict[str, Any]:
    """One flag, ``new-checkout``, on for everyone when enabled, with two variants."""
    return {
        "version": 2,
        "features": [
            {
                "name": "new-checkout",
                "enabled": enabled,
                "strategies": [{"name": "default", "parameters": {}, "constraints": []}],
                "variants": [
                    {"name": "blue", "weight": 500, "payload": {"type": "string", "value": "b"}},
                    {"name": "green", "weight": 500, "payload": {"type": "string", "value": "g"}},
                ],
            }
        ],
        "segments": [],
    }


def feature_updated(name: str, *, enabled: bool) -> dict[str, Any]:
    """A delta event that (re)defines flag ``name`` as on or off for everyone."""
    return {
        "type": "feature-updated",
        "feature": {"name": name, "enabled": enabled, "strategies": [{"name": "default"}]},
    }
