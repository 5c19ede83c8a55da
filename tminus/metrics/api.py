"""JSON endpoints: declared metrics, and event ingestion for services and SDKs."""

from datetime import datetime, timedelta

import orjson
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.security import APIKeyHeader

from tminus.accounts.roles import MANAGE, VIEW
from tminus.core.api import BrowserSessionAuth, TokenAuth, api_actor
from tminus.core.errors import NotAllowed, NotFound, ValidationFailed
from tminus.flags.choices import TokenKind
from tminus.flags.tokens import TokenScope
from tminus.metrics import selectors, services
from tminus.metrics.builtin import builtin_series, is_builtin
from tminus.metrics.gcpause import cyclic_gc_paused
from tminus.metrics.measures import Measure, Scope, measure, measure_problems

router = Router(tags=["metrics"])
# Events can roll a flag back or move a rollout on: writing them takes what running one takes.
WRITE_METRICS = MANAGE


class FlagTokenAuth(APIKeyHeader):
    """A token of the flags area (`Authorization: project:environment.secret`); only an
    ingest token may send events, which the endpoint checks to say so clearly."""

    param_name = "Authorization"

    def authenticate(self, request, key):
        from tminus.flags.tokens import token_scope

        return token_scope(key)


class MetricIn(Schema):
    key: str
    name: str = ""
    unit: str = ""
    description: str = ""


class MetricOut(Schema):
    key: str
    name: str
    unit: str
    description: str


class IngestOut(Schema):
    accepted: int
    duplicates: int
    rejected: list[dict]


@router.get("/metrics", response=list[MetricOut])
def metric_list(request):
    api_actor(request, VIEW)
    return selectors.metric_list()


@router.post("/metrics", response={201: MetricOut})
def metric_declare(request, data: MetricIn):
    actor = api_actor(request, MANAGE)
    return Status(201, services.metric_declare(actor=actor, **data.dict()))


EVENTS_BODY = {
    "requestBody": {"content": {"application/json": {"schema": {
        "type": "object", "required": ["events"],
        "properties": {"events": {"type": "array", "items": {
            "type": "object", "required": ["id", "name", "time"],
            "properties": {
                "id": {"type": "string", "description": "Idempotency id; a retry counts once."},
                "name": {"type": "string", "description": "A declared metric key."},
                "time": {"type": "string", "format": "date-time"},
                "value": {"type": "number", "default": 1},
                "environment": {"type": "string",
                                "description": "Needed with a personal token; a backend "
                                               "token names its own."},
                "flag": {"type": "string"}, "variant": {"type": "string"},
                "context": {"type": "object", "description": "Unleash-style, e.g. userId."},
            }}}},
    }}}},
}


@router.post("/events", response=IngestOut, openapi_extra=EVENTS_BODY,
             auth=[FlagTokenAuth(), TokenAuth(), BrowserSessionAuth()])
def events_ingest(request: HttpRequest):
    """Metric events from an ingest token (its projects, its environment) or from a person
    whose role may write metrics (release managers and admins): events can roll a flag back
    or move a rollout on, so reading rights are not enough."""
    scope = request.auth if isinstance(request.auth, TokenScope) else None
    if scope is None:
        api_actor(request, WRITE_METRICS)
    elif scope.kind != TokenKind.INGEST:
        raise NotAllowed(f"A {scope.kind} token cannot send events: create an ingest token "
                         f"for this project and environment.")
    with cyclic_gc_paused():
        result = services.events_record(
            events=_events_of(request), environment=scope.environment if scope else None,
            projects=None if scope is None or scope.all_projects else scope.projects)
    return result.as_dict()


class IngestTokenIn(Schema):
    name: str = Field(..., max_length=100)
    projects: list[str]
    environment: str = Field(..., max_length=100)


class IngestTokenOut(Schema):
    id: int
    name: str
    environment: str
    projects: list[str]
    prefix: str
    created_at: datetime
    revoked_at: datetime | None


class NewIngestTokenOut(IngestTokenOut):
    secret: str


def _token_out(token) -> dict:
    return {"id": token.pk, "name": token.name, "environment": token.environment,
            "projects": ["*"] if token.all_projects else sorted(
                p.key for p in token.projects.all()),
            "prefix": token.prefix, "created_at": token.created_at,
            "revoked_at": token.revoked_at}


@router.get("/ingest-tokens", response=list[IngestTokenOut])
def ingest_token_list(request):
    """Tokens that may send metric events (never their secrets)."""
    api_actor(request, VIEW)
    return [_token_out(t) for t in selectors.ingest_tokens()]


@router.post("/ingest-tokens", response={201: NewIngestTokenOut})
def ingest_token_create(request, data: IngestTokenIn):
    """A token for POST /events, bound to projects and one environment; the secret is shown
    once."""
    from tminus.flags.services import client_token_create

    token, secret = client_token_create(
        name=data.name, environment=data.environment, projects=data.projects,
        kind=TokenKind.INGEST, actor=api_actor(request, MANAGE))
    return Status(201, {**_token_out(token), "secret": secret})


def _events_of(request: HttpRequest) -> list:
    try:
        body = orjson.loads(request.body or b"null")
    except orjson.JSONDecodeError:
        raise ValidationFailed({"body": "The body is not JSON."}) from None
    if not isinstance(body, dict) or "events" not in body:
        raise ValidationFailed({"events": 'Send {"events": [...]}.'})
    return body["events"]


class MeasureQuery(Schema):
    metric: str
    aggregation: str = "count"
    of: str = ""
    environment: str | None = None
    flag: str | None = None
    minutes: int = Field(60, ge=1, le=60 * 24 * 31)


class MeasureOut(Schema):
    measure: str
    start: datetime
    end: datetime
    value: float | None
    sample: int | None
    error: str


@router.get("/metrics/measure", response=MeasureOut)
def metric_measure(request, query: Query[MeasureQuery]):
    """A metric over the last minutes, as a rollout criterion would read it."""
    api_actor(request, VIEW)
    spec = Measure(metric=query.metric, aggregation=query.aggregation, denominator=query.of)
    problems = measure_problems(spec)
    if problems:
        raise ValidationFailed(problems)
    end = timezone.now()
    scope = Scope(environment=query.environment, flag=query.flag,
                  start=end - timedelta(minutes=query.minutes), end=end)
    reading = measure(spec, scope)
    return {"measure": spec.describe(), "start": scope.start, "end": end,
            "value": reading.value, "sample": reading.sample, "error": reading.error}


class SeriesPoint(Schema):
    minute: datetime
    count: int
    total: float


@router.get("/metrics/{key}/series", response=list[SeriesPoint])
def metric_series(request, key: str, environment: str, flag: str | None = None,
                  minutes: int = Query(60, ge=1, le=60 * 24 * 31)):
    """Per-minute count and sum of a metric (exposures and evaluations included)."""
    api_actor(request, VIEW)
    if not selectors.metric_known(key):
        raise NotFound(f"No metric {key!r}.")
    end = timezone.now()
    start = (end - timedelta(minutes=minutes)).replace(second=0, microsecond=0)
    if is_builtin(key):
        rows = [(m, n, float(n)) for m, n in builtin_series(metric=key, environment=environment,
                                                            start=start, end=end, flag=flag)]
    else:
        rows = selectors.metric_series(metric=key, environment=environment, start=start,
                                       end=end, flag=flag)
    return [{"minute": minute, "count": count, "total": total} for minute, count, total in rows]
