"""The client state of one or more environments, in the shape of Unleash's /api/client/features.

Built from the database in a fixed number of queries, and kept in process memory per revision:
a state only changes when its revision does.
"""

import gzip
import hashlib
import json
from collections import OrderedDict
from dataclasses import dataclass
from functools import cached_property
from threading import Lock

from django.db.models import Max, Prefetch, Q

from tminus.flags.choices import ChangeKind
from tminus.flags.models import (
    ChangeEvent,
    Environment,
    FlagDependency,
    FlagEnvironment,
    FlagTag,
    Segment,
    Strategy,
)
from tminus.flags.revisions import events_pruned_below

STATE_VERSION = 2
# A constraint no context satisfies: stands in, for SDKs without segment support, for a
# segment that does not exist (such a strategy never matches).
_NEVER = {"contextName": "tminus-missing-segment", "operator": "IN", "values": [],
          "inverted": False, "caseInsensitive": False}


@dataclass(frozen=True)
class Query:
    """What an SDK asked for: environments (from its token), name prefix, tags (any of these
    `(type, value)` pairs), segment inlining."""

    environment_ids: tuple[int, ...]
    environment: str
    projects: tuple[str, ...]
    name_prefix: str = ""
    inline_segments: bool = False
    tags: tuple[tuple[str, str], ...] = ()

    @cached_property  # part of every ETag: worked out once per query, not per poll
    def hash(self) -> str:
        parts = [self.environment_ids, self.name_prefix, self.inline_segments]
        if self.tags:
            parts.append(self.tags)
        return hashlib.sha1(json.dumps(parts).encode()).hexdigest()[:8]


def revision_of(environment_ids) -> int:
    """The newest revision among the environments (0 when none has changed yet)."""
    if not environment_ids:
        return 0
    found = Environment.objects.filter(pk__in=environment_ids).aggregate(top=Max("revision"))
    return found["top"] or 0


def served_states(environment_ids, name_prefix: str = "", names=None, tags=()):
    """The flag states SDKs receive: live flags with strategies and dependencies, in order;
    with `tags`, only flags that have at least one of them."""
    states = (
        FlagEnvironment.objects.filter(environment_id__in=environment_ids,
                                       flag__archived_at__isnull=True)
        .select_related("flag__project", "environment")
        .prefetch_related(
            Prefetch("strategies", queryset=Strategy.objects.order_by("sort_order", "id")),
            Prefetch("flag__dependencies", queryset=FlagDependency.objects.order_by("id")),
        )
        .order_by("flag__key")
    )
    if name_prefix:
        states = states.filter(flag__key__startswith=name_prefix)
    if names is not None:
        states = states.filter(flag__key__in=list(names))
    if tags:
        tagged = Q()
        for tag_type, value in tags:
            tagged |= Q(tag_type=tag_type, value=value)
        states = states.filter(flag_id__in=FlagTag.objects.filter(tagged).values("flag_id"))
    return states


def feature_dict(state: FlagEnvironment, segments: dict[int, dict] | None = None) -> dict:
    """One flag as Unleash serves it; with `segments`, their constraints are inlined."""
    flag = state.flag
    feature = {
        "name": flag.key,
        "type": flag.flag_type,
        "description": flag.description or None,
        "project": flag.project.key,
        # The environment's kill switch turns every flag off for SDKs; the states are kept.
        "enabled": state.enabled and state.environment.killed_at is None,
        "stale": flag.stale,
        "impressionData": flag.impression_data,
        "strategies": [strategy_dict(s, segments) for s in state.strategies.all()],
        "variants": state.variants or [],
    }
    dependencies = list(flag.dependencies.all())
    if dependencies:
        feature["dependencies"] = [dependency_dict(d) for d in dependencies]
    return feature


def strategy_dict(strategy: Strategy, segments: dict[int, dict] | None = None) -> dict:
    """A strategy as Unleash serves it."""
    served = {
        "name": strategy.name,
        "constraints": list(strategy.constraints or []),
        "parameters": strategy.parameters or {},
        "variants": strategy.variants or [],
    }
    if strategy.title:
        served["title"] = strategy.title
    if segments is None:
        if strategy.segments:
            served["segments"] = list(strategy.segments)
        return served
    for segment_id in strategy.segments or []:
        segment = segments.get(segment_id)
        served["constraints"] += segment["constraints"] if segment else [_NEVER]
    return served


def dependency_dict(dependency: FlagDependency) -> dict:
    served = {"feature": dependency.parent_key, "enabled": dependency.enabled}
    if dependency.variants:
        served["variants"] = list(dependency.variants)
    return served


def segment_dict(segment: Segment) -> dict:
    return {"id": segment.pk, "name": segment.name, "constraints": segment.constraints or []}


def segments_for(states) -> dict[int, dict]:
    """The segments the states' strategies use, by id."""
    ids = {i for state in states for s in state.strategies.all() for i in s.segments or []
           if isinstance(i, int) and i > 0}
    return {s.pk: segment_dict(s) for s in Segment.objects.filter(pk__in=ids).order_by("pk")}


def build_state(query: Query, revision: int) -> dict:
    """The full features response for a query at its current revision."""
    states = list(served_states(query.environment_ids, query.name_prefix, tags=query.tags))
    segments = segments_for(states)
    body = {
        "version": STATE_VERSION,
        "features": [feature_dict(s, segments if query.inline_segments else None)
                     for s in states],
        "query": {"environment": query.environment, "project": list(query.projects),
                  "namePrefix": query.name_prefix or None,
                  "inlineSegmentConstraints": query.inline_segments},
        "meta": {"revisionId": revision, "etag": etag_for(query, revision),
                 "queryHash": query.hash},
    }
    if query.tags:
        body["query"]["tag"] = [list(tag) for tag in query.tags]
    if not query.inline_segments:
        body["segments"] = list(segments.values())
    return body


def etag_for(query: Query, revision: int) -> str:
    return f'"{query.hash}:{revision}"'


# -- delta -------------------------------------------------------------------------------


def hydration_event(query: Query, revision: int) -> dict:
    """The whole state as one delta event, with every segment (as Unleash sends it).

    Later deltas carry a segment only when the segment itself changes, so a hydration must
    already hold segments that no flag uses yet: a flag may start using one in the next delta.
    """
    states = list(served_states(query.environment_ids, query.name_prefix))
    return {"eventId": revision, "type": "hydration",
            "features": [feature_dict(s) for s in states],
            "segments": [segment_dict(s) for s in Segment.objects.order_by("pk")]}


def delta_events(query: Query, since: int) -> list[dict] | None:
    """Events that bring an SDK at revision `since` up to date; None if it needs a hydration.

    Several changes to one flag collapse into its current definition (or its removal).
    """
    if since <= 0 or since < events_pruned_below():
        return None
    changes = (ChangeEvent.objects.filter(environment_id__in=query.environment_ids,
                                          revision__gt=since)
               .order_by("revision", "id").values_list("revision", "kind", "subject"))
    latest: dict[tuple[str, str], int] = {}
    for revision, kind, subject in changes:
        family = "segment" if kind.startswith("segment") else "feature"
        if family == "feature" and not subject.startswith(query.name_prefix):
            continue
        latest.pop((family, subject), None)
        latest[(family, subject)] = revision
    return _events_for(query, latest)


def _events_for(query: Query, latest: dict[tuple[str, str], int]) -> list[dict]:
    names = [subject for family, subject in latest if family == "feature"]
    states = {s.flag.key: s for s in served_states(query.environment_ids, names=names)}
    segment_ids = [int(subject) for family, subject in latest if family == "segment"]
    segments = {s.pk: s for s in Segment.objects.filter(pk__in=segment_ids)}
    events = []
    for (family, subject), revision in sorted(latest.items(), key=lambda item: item[1]):
        if family == "feature":
            state = states.get(subject)
            events.append(
                {"eventId": revision, "type": ChangeKind.FEATURE_UPDATED.value,
                 "feature": feature_dict(state)} if state else
                {"eventId": revision, "type": ChangeKind.FEATURE_REMOVED.value,
                 "featureName": subject, "project": _project_of(query)})
        else:
            segment = segments.get(int(subject))
            events.append(
                {"eventId": revision, "type": ChangeKind.SEGMENT_UPDATED.value,
                 "segment": segment_dict(segment)} if segment else
                {"eventId": revision, "type": ChangeKind.SEGMENT_REMOVED.value,
                 "segmentId": int(subject)})
    return events


def _project_of(query: Query) -> str:
    return query.projects[0] if len(query.projects) == 1 else "*"


# -- process-wide cache ------------------------------------------------------------------


class BoundedCache:
    """A small LRU map: states of the few (query, revision) pairs in use."""

    def __init__(self, size: int = 256):
        self._items: OrderedDict = OrderedDict()
        self._size = size
        self._lock = Lock()

    def get(self, key):
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key, value):
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self._size:
                self._items.popitem(last=False)
        return value

    def clear(self):
        with self._lock:
            self._items.clear()


_bodies = BoundedCache()
stream_chunks = BoundedCache()  # streaming.py: the events sent to streams, per query and revision
_builds: dict = {}  # key -> the lock of the build in progress
_builds_lock = Lock()


def built_once(cache: BoundedCache, key, build):
    """The cached value for key, built by one caller while the others wait for it.

    Right after a change every poller of a busy process asks for the new state at once;
    without this each would build it (10 concurrent polls of 1,000 flags took 3.3 s).
    """
    value = cache.get(key)
    if value is not None:
        return value
    with _builds_lock:
        lock = _builds.setdefault(key, Lock())
    try:
        with lock:
            value = cache.get(key)
            if value is None:
                value = cache.put(key, build())
    finally:
        with _builds_lock:
            if _builds.get(key) is lock:
                del _builds[key]
    return value


def state_body(query: Query, revision: int) -> bytes:
    """The features response as JSON bytes, built once per query and revision."""
    return built_once(_bodies, (query, revision), lambda: json.dumps(
        build_state(query, revision), separators=(",", ":")).encode())


def cached_body(query: Query, revision: int) -> bytes | None:
    """The features response if it is already built; never builds it."""
    return _bodies.get((query, revision))


# Bodies below this size are sent as they are: compressing them saves too little to matter.
GZIP_MIN_BYTES = 1024


def compressed(body: bytes) -> bytes:
    """A body gzipped the same way every time (no timestamp), so equal bodies stay equal."""
    return gzip.compress(body, compresslevel=6, mtime=0)


def state_body_gzip(query: Query, revision: int) -> bytes:
    """The gzipped features response, compressed once per query and revision."""
    return built_once(_bodies, (query, revision, "gzip"),
                      lambda: compressed(state_body(query, revision)))


def cached_body_gzip(query: Query, revision: int) -> bytes | None:
    return _bodies.get((query, revision, "gzip"))


def accepts_gzip(header: str | bytes | None) -> bool:
    """Whether an Accept-Encoding header lets us answer gzip (and does not refuse it, q=0)."""
    text = header.decode("latin-1") if isinstance(header, bytes) else (header or "")
    for part in text.lower().split(","):
        coding, _, params = part.strip().partition(";")
        if coding.strip() in ("gzip", "*"):
            quality = params.strip().removeprefix("q=")
            return not (params and _is_zero(quality))
    return False


def _is_zero(text: str) -> bool:
    try:
        return float(text) == 0
    except ValueError:
        return False


def clear_caches() -> None:
    _bodies.clear()
    stream_chunks.clear()
