"""Writes for metrics: declaring a metric, and recording a batch of events."""

from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from tminus.accounts.permissions import require
from tminus.accounts.roles import MANAGE
from tminus.audit.services import audit_record, snapshot
from tminus.core.actors import Actor
from tminus.core.errors import ValidationFailed
from tminus.metrics import store
from tminus.metrics.arms import arms_of
from tminus.metrics.builtin import is_builtin
from tminus.metrics.gcpause import cyclic_gc_paused
from tminus.metrics.ingest import CleanEvent, clean_event, limits_for
from tminus.metrics.models import METRIC_KEY, Metric
from tminus.metrics.selectors import known_environments, known_flags

MAX_BATCH = 5000


@transaction.atomic
def metric_declare(*, key: str, name: str = "", unit: str = "", description: str = "",
                   actor: Actor) -> Metric:
    """Declare a metric that events may report and criteria may read."""
    require(actor, MANAGE)
    if not METRIC_KEY.match(key or ""):
        raise ValidationFailed({"key": "A metric key uses lower-case letters, digits, dots, "
                                       "dashes or underscores, such as download_click."})
    if Metric.objects.filter(key=key).exists() or is_builtin(key):
        raise ValidationFailed({"key": f"A metric {key!r} already exists."})
    metric = Metric.objects.create(key=key, name=name or key, unit=unit, description=description)
    audit_record(actor=actor, action="metric.declare", obj=metric,
                 after=snapshot(metric, ["key", "name", "unit"]))
    return metric


@dataclass
class IngestResult:
    accepted: int = 0
    duplicates: int = 0
    rejected: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"accepted": self.accepted, "duplicates": self.duplicates,
                "rejected": self.rejected}


def events_record(*, events: list, environment: str | None = None,
                  projects: frozenset[str] | None = None) -> IngestResult:
    """Store a batch of events once each; a bad event is rejected with its reason, alone.

    `environment` and `projects` are an ingest token's: its events are for that environment
    and name only flags of those projects (None: any).
    """
    if not isinstance(events, list):
        raise ValidationFailed({"events": "events must be a list."})
    if len(events) > MAX_BATCH:
        raise ValidationFailed({"events": f"At most {MAX_BATCH} events per batch."})
    now = timezone.now()
    flags, foreign = known_flags(events, projects)
    limits = limits_for(
        now, timedelta(hours=settings.EVENTS_MAX_AGE_HOURS),
        metrics=frozenset(Metric.objects.values_list("key", flat=True)),
        flags=flags, foreign_flags=foreign, environments=known_environments(),
        environment=environment,
    )
    with cyclic_gc_paused():
        result, clean = _cleaned(events, limits)
        _place_in_arms(clean, events)
        with transaction.atomic():
            new = store.insert_new_events(clean, now)
            store.add_to_minute_totals(new)
    result.accepted = len(new)
    result.duplicates += len(clean) - len(new)
    return result


def _cleaned(events: list, limits) -> tuple[IngestResult, list[tuple[int, CleanEvent]]]:
    """The events that pass their checks (with their index), once per id; the others rejected
    with their reason."""
    result, clean, seen = IngestResult(), [], set()
    for index, raw in enumerate(events):
        try:
            event = clean_event(raw, limits)
        except ValueError as error:
            result.rejected.append({"index": index, "id": _id_of(raw), "error": str(error)})
            continue
        if event.event_id in seen:
            result.duplicates += 1
            continue
        seen.add(event.event_id)
        clean.append((index, event))
    return result, clean


def _place_in_arms(clean: list[tuple[int, CleanEvent]], raw: list) -> list[CleanEvent]:
    """Give each event of a user and a flag whose SDK did not say its arm the arm the flag's
    audience put that user in at the event's time; returns the events, in place."""
    wanting = [position for position, (_, event) in enumerate(clean)
               if event.flag_key and event.user_key and not event.arm]
    if wanting:
        arms = arms_of([(clean[p][1].flag_key, clean[p][1].environment, clean[p][1].occurred_at,
                         raw[clean[p][0]].get("context")) for p in wanting])
        for position, arm in zip(wanting, arms, strict=True):
            if arm:
                index, event = clean[position]
                clean[position] = (index, event._replace(arm=arm))
    clean[:] = [event for _, event in clean]
    return clean


def _id_of(raw) -> str | None:
    return raw.get("id") if isinstance(raw, dict) and isinstance(raw.get("id"), str) else None
