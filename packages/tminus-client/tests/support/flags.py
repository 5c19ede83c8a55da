"""Builders for single-flag states, to keep engine tests short."""

from typing import Any


def state_with(*features: dict[str, Any], segments: list | None = None) -> dict[str, Any]:
    return {"version": 2, "features": list(features), "segments": segments or []}


def flag(name: str, *strategies: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {"name": name, "enabled": True, "strategies": list(strategies), **fields}


def strategy(name: str, constraints: list | None = None, **parameters: Any) -> dict[str, Any]:
    return {"name": name, "parameters": parameters, "constraints": constraints or []}


def constraint(context_name: str, operator: str, values: Any, **options: Any) -> dict[str, Any]:
    key = "values" if isinstance(values, list) else "value"
    return {"contextName": context_name, "operator": operator, key: values, **options}


def rollout(percent: int, stickiness: str = "userId", group_id: str = "g") -> dict[str, Any]:
    parameters = {"rollout": str(percent), "stickiness": stickiness, "groupId": group_id}
    return strategy("flexibleRollout", **parameters)
