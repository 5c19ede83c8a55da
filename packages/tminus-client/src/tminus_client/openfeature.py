"""An OpenFeature provider backed by a TMinusClient (install ``tminus-client[openfeature]``).

Booleans answer whether the flag is on. Strings, numbers and objects come from the payload of
the variant the flag resolves to: ``string``/``csv`` payloads for strings (a variant without a
payload gives its name), ``number`` payloads for integers and floats, ``json`` payloads for
objects. A missing flag is FLAG_NOT_FOUND, a payload of the wrong type TYPE_MISMATCH.
"""

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from openfeature.evaluation_context import EvaluationContext
from openfeature.exception import ErrorCode
from openfeature.flag_evaluation import FlagResolutionDetails, FlagValueType, Reason
from openfeature.provider import AbstractProvider, Metadata

from .client import TMinusClient
from .engine.context import STANDARD_FIELDS

__all__ = ["TMinusProvider", "to_unleash_context"]

T = TypeVar("T")
Details = FlagResolutionDetails


class PayloadTypeError(ValueError):
    """The variant's payload cannot be read as the requested type."""


class TMinusProvider(AbstractProvider):
    """Resolves OpenFeature flags with a TMinusClient; ``shutdown`` closes the client."""

    def __init__(self, client: TMinusClient) -> None:
        super().__init__()
        self.client = client

    def get_metadata(self) -> Metadata:
        """The provider's name, as OpenFeature reports it."""
        return Metadata(name="T-Minus")

    def shutdown(self) -> None:
        """Stop the client's background threads and flush its metrics."""
        self.client.close()

    def resolve_boolean_details(
        self,
        flag_key: str,
        default_value: bool,
        evaluation_context: EvaluationContext | None = None,
    ) -> Details[bool]:
        """Whether the flag is on for the context."""
        feature = self.client.engine.feature(flag_key)
        if feature is None:
            return _not_found(flag_key, default_value)
        if not feature.enabled:
            return Details(value=False, reason=Reason.DISABLED, variant="off")
        enabled = self.client.is_enabled(flag_key, to_unleash_context(evaluation_context))
        if enabled:
            return Details(value=True, reason=Reason.TARGETING_MATCH, variant="on")
        return Details(value=False, reason=Reason.DEFAULT, variant="off")

    def resolve_string_details(
        self,
        flag_key: str,
        default_value: str,
        evaluation_context: EvaluationContext | None = None,
    ) -> Details[str]:
        """The variant's string or csv payload (or its name when it has no payload)."""
        return self._resolve_variant(flag_key, default_value, evaluation_context, _as_string)

    def resolve_integer_details(
        self,
        flag_key: str,
        default_value: int,
        evaluation_context: EvaluationContext | None = None,
    ) -> Details[int]:
        """The variant's number payload, when it is a whole number."""
        return self._resolve_variant(flag_key, default_value, evaluation_context, _as_integer)

    def resolve_float_details(
        self,
        flag_key: str,
        default_value: float,
        evaluation_context: EvaluationContext | None = None,
    ) -> Details[float]:
        """The variant's number payload."""
        return self._resolve_variant(flag_key, default_value, evaluation_context, _as_float)

    def resolve_object_details(
        self,
        flag_key: str,
        default_value: Sequence[FlagValueType] | Mapping[str, FlagValueType],
        evaluation_context: EvaluationContext | None = None,
    ) -> Details[Sequence[FlagValueType] | Mapping[str, FlagValueType]]:
        """The variant's json payload, parsed to an object or a list."""
        return self._resolve_variant(flag_key, default_value, evaluation_context, _as_object)

    def _resolve_variant(
        self,
        flag_key: str,
        default_value: T,
        evaluation_context: EvaluationContext | None,
        convert: Callable[[dict[str, Any]], T],
    ) -> Details[T]:
        feature = self.client.engine.feature(flag_key)
        if feature is None:
            return _not_found(flag_key, default_value)
        if not feature.enabled:
            return Details(value=default_value, reason=Reason.DISABLED)
        variant = self.client.get_variant(flag_key, to_unleash_context(evaluation_context))
        if not variant["enabled"]:
            # Off for this context, or on without variants: nothing overrides the default.
            return Details(value=default_value, reason=Reason.DEFAULT)
        try:
            value = convert(variant)
        except PayloadTypeError as exc:
            return _error(ErrorCode.TYPE_MISMATCH, f"flag {flag_key!r}: {exc}", default_value)
        return Details(value=value, reason=Reason.TARGETING_MATCH, variant=variant["name"])


def to_unleash_context(evaluation_context: EvaluationContext | None) -> dict[str, Any]:
    """Translate an OpenFeature evaluation context into an Unleash context.

    The targeting key becomes ``userId`` (unless an attribute sets it); standard Unleash fields
    stay at the top level and every other attribute goes under ``properties``.
    """
    if evaluation_context is None:
        return {}
    context: dict[str, Any] = {}
    properties: dict[str, Any] = {}
    if evaluation_context.targeting_key:
        context["userId"] = evaluation_context.targeting_key
    for name, value in evaluation_context.attributes.items():
        if name in STANDARD_FIELDS:
            context[name] = value
        elif name == "properties" and isinstance(value, Mapping):
            properties.update(value)
        else:
            properties[name] = value
    if properties:
        context["properties"] = properties
    return context


def _as_string(variant: dict[str, Any]) -> str:
    payload = variant.get("payload")
    if payload is None:
        return variant["name"]
    if payload.get("type") not in ("string", "csv"):
        raise PayloadTypeError(f"variant payload is {payload.get('type')}, not a string")
    return str(payload.get("value"))


def _as_float(variant: dict[str, Any]) -> float:
    text = _number_payload(variant)
    try:
        return float(text)
    except ValueError:
        raise PayloadTypeError(f"variant payload {text!r} is not a number") from None


def _as_integer(variant: dict[str, Any]) -> int:
    number = _as_float(variant)
    if not number.is_integer():
        raise PayloadTypeError(f"variant payload {number!r} is not a whole number")
    return int(number)


def _as_object(variant: dict[str, Any]) -> Any:
    payload = _payload_of_type(variant, "json")
    try:
        value = json.loads(payload["value"])
    except (TypeError, ValueError):
        raise PayloadTypeError("variant payload is not valid JSON") from None
    if not isinstance(value, dict | list):
        raise PayloadTypeError("variant payload is JSON but not an object or a list")
    return value


def _number_payload(variant: dict[str, Any]) -> str:
    return str(_payload_of_type(variant, "number").get("value"))


def _payload_of_type(variant: dict[str, Any], kind: str) -> Mapping[str, Any]:
    payload = variant.get("payload")
    if payload is None:
        raise PayloadTypeError(f"variant {variant['name']!r} has no payload")
    if payload.get("type") != kind:
        raise PayloadTypeError(f"variant payload is {payload.get('type')}, not {kind}")
    return payload


def _not_found(flag_key: str, default_value: T) -> Details[T]:
    return _error(ErrorCode.FLAG_NOT_FOUND, f"flag {flag_key!r} does not exist", default_value)


def _error(code: ErrorCode, message: str, default_value: T) -> Details[T]:
    return Details(value=default_value, reason=Reason.ERROR, error_code=code, error_message=message)
