"""Flag definitions as served by ``/api/client/features``, and the delta events that update them.

A full state is ``{"version": 2, "features": [...], "segments": [...]}``. A delta is
``{"events": [...]}`` where each event is one of ``hydration`` (a whole new state),
``feature-updated``, ``feature-removed``, ``segment-updated`` or ``segment-removed``.
"""

from collections.abc import Callable, Mapping
from typing import Any

from .errors import StateError
from .features import referenced_segments

STATE_VERSION = 2

# None stands for "every feature may have changed".
Changes = set[str] | None


class FeatureStore:
    """The raw definitions behind an engine: flags by name, segments by id."""

    def __init__(
        self,
        features: dict[str, Mapping[str, Any]] | None = None,
        segments: dict[Any, Mapping[str, Any]] | None = None,
        event_id: int | None = None,
    ) -> None:
        self.features = features or {}
        self.segments = segments or {}
        self.event_id = event_id

    def copy(self) -> "FeatureStore":
        """A store that can be changed without affecting this one."""
        return FeatureStore(dict(self.features), dict(self.segments), self.event_id)

    def to_state(self) -> dict[str, Any]:
        """The definitions as a features response."""
        return {
            "version": STATE_VERSION,
            "features": list(self.features.values()),
            "segments": list(self.segments.values()),
        }

    def apply_events(self, events: Any) -> Changes:
        """Apply delta events in order; return the names of the flags they changed."""
        if not isinstance(events, list):
            raise StateError("events must be a list")
        changed: Changes = set()
        for index, event in enumerate(events):
            touched = self._apply(event, f"events[{index}]")
            changed = None if touched is None or changed is None else changed | touched
        return changed

    def users_of_segment(self, segment_id: Any) -> set[str]:
        """Names of the flags whose strategies use a segment."""
        return {
            name for name, spec in self.features.items() if segment_id in referenced_segments(spec)
        }

    def _apply(self, event: Any, path: str) -> Changes:
        if not isinstance(event, Mapping):
            raise StateError(f"{path} must be an object")
        handler = _EVENT_HANDLERS.get(event.get("type"))
        # Event types this version does not know are skipped, so newer servers stay usable.
        touched = handler(self, event, path) if handler is not None else set()
        event_id = event.get("eventId")
        if isinstance(event_id, int) and not isinstance(event_id, bool):
            self.event_id = event_id
        return touched

    def _hydrate(self, event: Mapping[str, Any], path: str) -> Changes:
        self.features = features_by_name(event.get("features", []), f"{path}.features")
        self.segments = segments_by_id(event.get("segments", []), f"{path}.segments")
        return None

    def _update_feature(self, event: Mapping[str, Any], path: str) -> Changes:
        feature = _named_feature(event.get("feature"), f"{path}.feature")
        self.features[feature["name"]] = feature
        return {feature["name"]}

    def _remove_feature(self, event: Mapping[str, Any], path: str) -> Changes:
        name = event.get("featureName")
        if not isinstance(name, str):
            raise StateError(f"{path}.featureName must be a string")
        self.features.pop(name, None)
        return {name}

    def _update_segment(self, event: Mapping[str, Any], path: str) -> Changes:
        segment = _identified_segment(event.get("segment"), f"{path}.segment")
        self.segments[segment["id"]] = segment
        return self.users_of_segment(segment["id"])

    def _remove_segment(self, event: Mapping[str, Any], path: str) -> Changes:
        segment_id = event.get("segmentId")
        if segment_id is None:
            raise StateError(f"{path}.segmentId is required")
        self.segments.pop(segment_id, None)
        return self.users_of_segment(segment_id)


_EVENT_HANDLERS: dict[Any, Callable[[FeatureStore, Mapping[str, Any], str], Changes]] = {
    "hydration": FeatureStore._hydrate,
    "feature-updated": FeatureStore._update_feature,
    "feature-removed": FeatureStore._remove_feature,
    "segment-updated": FeatureStore._update_segment,
    "segment-removed": FeatureStore._remove_segment,
}


def read_state(state: Any) -> FeatureStore:
    """Read a features response; a delta payload is applied to an empty state instead."""
    if not isinstance(state, Mapping):
        raise StateError("a features state must be a JSON object")
    if "events" in state and "features" not in state:
        store = FeatureStore()
        store.apply_events(state["events"])
        return store
    return FeatureStore(
        features_by_name(state.get("features", []), "features"),
        segments_by_id(state.get("segments") or [], "segments"),
    )


def events_of(delta: Any) -> list[Any]:
    """The event list of a delta payload (``{"events": [...]}``) or of a bare list of events."""
    if isinstance(delta, Mapping):
        delta = delta.get("events")
    if not isinstance(delta, list):
        raise StateError('a delta must be {"events": [...]} or a list of events')
    return delta


def apply_delta(state: Any, delta: Any) -> dict[str, Any]:
    """Return a new features state: ``state`` with the delta's events applied in order."""
    store = read_state(state)
    store.apply_events(events_of(delta))
    return store.to_state()


def features_by_name(features: Any, path: str) -> dict[str, Mapping[str, Any]]:
    """Index a features list by flag name; raise StateError on an unnamed flag."""
    if not isinstance(features, list):
        raise StateError(f"{path} must be a list")
    return {
        feature["name"]: feature
        for feature in (
            _named_feature(item, f"{path}[{index}]") for index, item in enumerate(features)
        )
    }


def segments_by_id(segments: Any, path: str) -> dict[Any, Mapping[str, Any]]:
    """Index a segments list by id; raise StateError on a segment without an id."""
    if not isinstance(segments, list):
        raise StateError(f"{path} must be a list")
    indexed = (_identified_segment(item, f"{path}[{i}]") for i, item in enumerate(segments))
    return {segment["id"]: segment for segment in indexed}


def _named_feature(feature: Any, path: str) -> Mapping[str, Any]:
    if not isinstance(feature, Mapping) or not isinstance(feature.get("name"), str):
        raise StateError(f"{path} must be an object with a string name")
    return feature


def _identified_segment(segment: Any, path: str) -> Mapping[str, Any]:
    if not isinstance(segment, Mapping) or not isinstance(segment.get("id"), int | str):
        raise StateError(f"{path} must be an object with an id")
    return segment
