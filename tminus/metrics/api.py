"""JSON endpoints: declared metrics, and event ingestion for services and SDKs."""

import json

from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.security import APIKeyHeader

from tminus.accounts.roles import MANAGE, VIEW
from tminus.core.api import BrowserSessionAuth, TokenAuth, api_actor
from tminus.core.errors import ValidationFailed
from tminus.metrics import selectors, services

router = Router(tags=["metrics"])


class FlagClientTokenAuth(APIKeyHeader):
    """A backend SDK token (`Authorization: project:environment.secret`) may send events."""

    param_name = "Authorization"

    def authenticate(self, request, key):
        from tminus.flags.tokens import token_scope

        scope = token_scope(key)
        return scope if scope is not None and scope.kind == "client" else None


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
             auth=[FlagClientTokenAuth(), TokenAuth(), BrowserSessionAuth()])
def events_ingest(request: HttpRequest):
    environment = getattr(request.auth, "environment", None)
    if environment is None:
        api_actor(request, VIEW)
    return services.events_record(events=_events_of(request), environment=environment).as_dict()


def _events_of(request: HttpRequest) -> list:
    try:
        body = json.loads(request.body or b"null")
    except (ValueError, UnicodeDecodeError):
        raise ValidationFailed({"body": "The body is not JSON."}) from None
    if not isinstance(body, dict) or "events" not in body:
        raise ValidationFailed({"events": 'Send {"events": [...]}.'})
    return body["events"]
