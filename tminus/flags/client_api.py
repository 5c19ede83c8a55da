"""The client API that Unleash SDKs speak, served by plain Django views for speed.

`Authorization: <token>` (Unleash style, `Bearer` optional) with a backend token for
/api/client/*, a frontend token for /api/frontend. No token or an unknown or revoked one gets
401; the wrong kind of token, or a project outside its scope, gets 403.
"""

import json
import re

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tminus.core.errors import ValidationFailed
from tminus.flags import client_state, evaluation, metrics
from tminus.flags.choices import TokenKind
from tminus.flags.tokens import TokenScope, current_revision, query_for, token_scope

SEGMENTS_SPEC = (4, 2, 0)  # Unleash-Client-Spec from which SDKs understand top-level segments
_VERSION = re.compile(r"(\d+)(?:\.(\d+))?(?:\.(\d+))?")


class Refusal(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.response = JsonResponse({"message": message}, status=status)


def authorize(request, kind: str) -> TokenScope:
    """The caller's token scope, or a Refusal with 401 (no valid token) or 403 (wrong kind)."""
    scope = token_scope(request.headers.get("Authorization"))
    if scope is None:
        raise Refusal(401, "Send a valid T-Minus client token in the Authorization header.")
    if scope.kind != kind:
        expected = "a frontend" if kind == TokenKind.FRONTEND else "a backend (client)"
        raise Refusal(403, f"This endpoint needs {expected} token, not a {scope.kind} token.")
    return scope


def _query(request, scope: TokenScope, inline_segments: bool = False):
    projects = request.GET.getlist("project")
    outside = sorted(p for p in projects if not scope.allows_project(p))
    if outside:
        raise Refusal(403, f"This token does not give access to project {', '.join(outside)}.")
    return query_for(scope, projects, request.GET.get("namePrefix", ""), inline_segments)


def supports_segments(header: str | None) -> bool:
    """Whether an SDK's Unleash-Client-Spec version understands top-level segments."""
    match = _VERSION.match((header or "").strip())
    if not match:
        return False
    version = tuple(int(part or 0) for part in match.groups())
    return version >= SEGMENTS_SPEC


def _etags(header: str | None) -> set[str]:
    return {tag.strip().removeprefix("W/") for tag in (header or "").split(",") if tag.strip()}


def refusals(view):
    """Turn a Refusal or a refused body into its JSON answer."""

    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except Refusal as refusal:
            return refusal.response
        except ValidationFailed as error:
            return JsonResponse({"message": error.message, "details": error.errors}, status=400)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


@require_GET
@refusals
def client_features(request):
    """The flags of the token's projects in its environment; 304 when the ETag still holds."""
    scope = authorize(request, TokenKind.CLIENT)
    inline = not supports_segments(request.headers.get("Unleash-Client-Spec"))
    query = _query(request, scope, inline)
    revision = current_revision(query.environment_ids)
    etag = client_state.etag_for(query, revision)
    if etag in _etags(request.headers.get("If-None-Match")):
        return _not_modified(etag)
    response = HttpResponse(client_state.state_body(query, revision),
                            content_type="application/json")
    response["ETag"] = etag
    response["Cache-Control"] = "no-cache"
    return response


def _not_modified(etag: str) -> HttpResponse:
    response = HttpResponse(status=304)
    response["ETag"] = etag
    return response


@require_GET
@refusals
def client_delta(request):
    """Changes since the revision in If-None-Match (`"123"`), or a hydration; 304 if none."""
    scope = authorize(request, TokenKind.CLIENT)
    query = _query(request, scope)
    revision = current_revision(query.environment_ids)
    since = _revision_in(request.headers.get("If-None-Match"))
    if since is not None and since == revision:
        return _not_modified(f'"{revision}"')
    events = client_state.delta_events(query, since or 0) if since is not None else None
    if events is None or since > revision:
        events = [client_state.hydration_event(query, revision)]
    if not events:
        return _not_modified(f'"{revision}"')
    newest = max(revision, *(event["eventId"] for event in events))
    response = JsonResponse({"events": events})
    response["ETag"] = f'"{newest}"'
    return response


def _revision_in(header: str | None) -> int | None:
    for tag in _etags(header):
        text = tag.strip('"')
        if text.isdigit():
            return int(text)
    return None


def _json_body(request):
    try:
        return json.loads(request.body or b"")
    except (ValueError, UnicodeDecodeError):
        raise Refusal(400, "The body must be JSON.") from None


@csrf_exempt
@require_POST
@refusals
def client_register(request):
    """An SDK announces itself: app name, instance, SDK version, strategies it knows."""
    scope = authorize(request, TokenKind.CLIENT)
    metrics.client_register(scope=scope, body=_json_body(request))
    return HttpResponse(status=202)


@csrf_exempt
@require_POST
@refusals
def client_metrics(request):
    """An SDK reports how often each flag answered yes and no, and which variants."""
    scope = authorize(request, TokenKind.CLIENT)
    return JsonResponse(metrics.metrics_record(scope=scope, body=_json_body(request)),
                        status=202)


# -- frontend API --------------------------------------------------------------------------


def _cors(request, response):
    origin = request.headers.get("Origin")
    allowed = settings.FLAGS_FRONTEND_ORIGINS
    if origin and ("*" in allowed or origin in allowed):
        response["Access-Control-Allow-Origin"] = "*" if "*" in allowed else origin
        response["Access-Control-Allow-Headers"] = (
            "Authorization, Content-Type, If-None-Match, Unleash-AppName, Unleash-SDK, "
            "Unleash-Connection-Id, Unleash-Client-Spec")
        response["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
        response["Access-Control-Expose-Headers"] = "ETag"
        response["Vary"] = "Origin"
    return response


def cors(view):
    """Browsers call the frontend API from other origins; answer their preflight too."""

    def wrapper(request, *args, **kwargs):
        if request.method == "OPTIONS":
            return _cors(request, HttpResponse(status=204))
        return _cors(request, view(request, *args, **kwargs))

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


def frontend_context(request, body=None) -> dict:
    """The context of a frontend request: query parameters (GET) or `{"context": ...}` (POST).

    Standard fields stay at the top level; `properties[name]=value` and any other parameter
    become properties. The caller's address is the default remoteAddress.
    """
    if body is not None:
        raw = body.get("context", body) if isinstance(body, dict) else None
        if not isinstance(raw, dict):
            raise Refusal(400, 'The body must be {"context": {...}}.')
        context = dict(raw)
    else:
        context, properties = {}, {}
        for key, value in request.GET.items():
            if key in evaluation.CONTEXT_FIELDS:
                context[key] = value
            elif key.startswith("properties[") and key.endswith("]"):
                properties[key[11:-1]] = value
            elif key not in ("project", "namePrefix"):
                properties[key] = value
        if properties:
            context["properties"] = properties
    if not isinstance(context.get("properties", {}), dict):
        context["properties"] = {}
    context.setdefault("remoteAddress", request.META.get("REMOTE_ADDR", ""))
    return context


@csrf_exempt
@cors
@require_http_methods(["GET", "POST"])
@refusals
def frontend_features(request):
    """The flags that are on for the given context, evaluated here with the shared engine."""
    scope = authorize(request, TokenKind.FRONTEND)
    body = _json_body(request) if request.method == "POST" else None
    context = frontend_context(request, body)
    context["environment"] = scope.environment
    query = _query(request, scope)
    revision = current_revision(query.environment_ids)
    toggles = evaluation.frontend_toggles(query, revision, context)
    return JsonResponse({"toggles": toggles})


@csrf_exempt
@cors
@require_POST
@refusals
def frontend_metrics(request):
    """Metrics from frontend SDKs, counted like those of backend SDKs."""
    scope = authorize(request, TokenKind.FRONTEND)
    return JsonResponse(metrics.metrics_record(scope=scope, body=_json_body(request)),
                        status=202)


@csrf_exempt
@cors
@require_POST
@refusals
def frontend_register(request):
    """Registration of a frontend SDK."""
    scope = authorize(request, TokenKind.FRONTEND)
    metrics.client_register(scope=scope, body=_json_body(request))
    return HttpResponse(status=202)
