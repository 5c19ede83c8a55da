"""The client API that Unleash SDKs speak, served by plain Django views for speed.

`Authorization: <token>` (Unleash style, `Bearer` optional) with a backend token for
/api/client/*, a frontend token for /api/frontend. No token or an unknown or revoked one gets
401; the wrong kind of token, or a project outside its scope, gets 403. JSON answers of 1 KB
and more are gzipped for callers that accept it; the features state is compressed once per
revision, not per request.
"""

import hashlib
import json
import re

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.utils.cache import patch_vary_headers
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tminus.core.errors import ValidationFailed
from tminus.flags import client_state, evaluation, metrics, propagation
from tminus.flags.choices import TokenKind
from tminus.flags.tokens import TokenScope, current_revision, query_for, token_scope

SEGMENTS_SPEC = (4, 2, 0)  # Unleash-Client-Spec from which SDKs understand top-level segments
_VERSION = re.compile(r"(\d+)(?:\.(\d+))?(?:\.(\d+))?")


class Refusal(Exception):
    def __init__(self, status: int, message: str, details: dict | None = None):
        super().__init__(message)
        answer = {"message": message, **({"details": details} if details else {})}
        self.response = JsonResponse(answer, status=status)


def authorize(request, kind: str) -> TokenScope:
    """The caller's token scope, or a Refusal with 401 (no valid token) or 403 (wrong kind)."""
    propagation.listener.ensure_started()
    scope = token_scope(request.headers.get("Authorization"))
    if scope is None:
        raise Refusal(401, "Send a valid T-Minus client token in the Authorization header.")
    if scope.kind != kind:
        expected = "a frontend" if kind == TokenKind.FRONTEND else "a backend (client)"
        raise Refusal(403, f"This endpoint needs {expected} token, not a {scope.kind} token.")
    return scope


def _query(request, scope: TokenScope, inline_segments: bool = False, tags=()):
    projects = request.GET.getlist("project")
    outside = sorted(p for p in projects if not scope.allows_project(p))
    if outside:
        raise Refusal(403, f"This token does not give access to project {', '.join(outside)}.")
    return query_for(scope, projects, request.GET.get("namePrefix", ""), inline_segments,
                     tags=tags)


def tag_filter(values: list[str]) -> tuple[tuple[str, str], ...]:
    """The `tag=type:value` parameters of a request (a flag with any of them matches)."""
    tags = set()
    for text in values:
        tag_type, sep, value = text.partition(":")
        if not sep or not tag_type.strip() or not value.strip():
            raise Refusal(400, "Each tag filter must be type:value.",
                          {"tag": f"{text!r} is not type:value (for example simple:checkout)."})
        tags.add((tag_type.strip(), value.strip()))
    return tuple(sorted(tags))


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
    query = _query(request, scope, inline, tag_filter(request.GET.getlist("tag")))
    revision = current_revision(query.environment_ids)
    etag = client_state.etag_for(query, revision)
    if etag in _etags(request.headers.get("If-None-Match")):
        return _not_modified(etag)
    body = client_state.state_body(query, revision)
    gzipped = (len(body) >= client_state.GZIP_MIN_BYTES
               and client_state.accepts_gzip(request.headers.get("Accept-Encoding")))
    if gzipped:
        body = client_state.state_body_gzip(query, revision)
    return _json_bytes(body, etag, gzipped)


def _json_bytes(body: bytes, etag: str, gzipped: bool) -> HttpResponse:
    response = HttpResponse(body, content_type="application/json")
    response["ETag"] = etag
    response["Cache-Control"] = "no-cache"
    patch_vary_headers(response, ["Accept-Encoding"])
    if gzipped:
        response["Content-Encoding"] = "gzip"
    return response


def json_answer(request, data: dict, etag: str | None = None) -> HttpResponse:
    """A JSON answer with an ETag (by default the body's digest): 304 when the caller has it,
    gzipped when it is large and the caller accepts gzip."""
    body, digest = frontend_body(data)
    etag = etag or digest
    if etag in _etags(request.headers.get("If-None-Match")):
        return _not_modified(etag)
    gzipped = (len(body) >= client_state.GZIP_MIN_BYTES
               and client_state.accepts_gzip(request.headers.get("Accept-Encoding")))
    return _json_bytes(client_state.compressed(body) if gzipped else body, etag, gzipped)


def _not_modified(etag: str) -> HttpResponse:
    response = HttpResponse(status=304)
    response["ETag"] = etag
    response["Cache-Control"] = "no-cache"
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
    return json_answer(request, {"events": events}, f'"{newest}"')


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


def cors_headers(origin: str | None) -> list[tuple[str, str]]:
    """The CORS headers for a browser request from `origin` (none when it is not allowed)."""
    allowed = settings.FLAGS_FRONTEND_ORIGINS
    if not origin or not ("*" in allowed or origin in allowed):
        return []
    return [("Access-Control-Allow-Origin", "*" if "*" in allowed else origin),
            ("Access-Control-Allow-Headers",
             "Authorization, Content-Type, If-None-Match, Unleash-AppName, Unleash-SDK, "
             "Unleash-Connection-Id, Unleash-Client-Spec"),
            ("Access-Control-Allow-Methods", "GET, POST, OPTIONS"),
            ("Access-Control-Expose-Headers", "ETag")]


def _cors(request, response):
    headers = cors_headers(request.headers.get("Origin"))
    for name, value in headers:
        response[name] = value
    if headers:
        patch_vary_headers(response, ["Origin"])
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
        if not isinstance(context.get("properties", {}), dict):
            context["properties"] = {}
        context.setdefault("remoteAddress", request.META.get("REMOTE_ADDR", ""))
        return context
    return context_from_parameters(request.GET.items(), request.META.get("REMOTE_ADDR", ""))


def context_from_parameters(items, remote_address: str) -> dict:
    """The context in a frontend request's query parameters ((name, value) pairs)."""
    context, properties = {}, {}
    for key, value in items:
        if key in evaluation.CONTEXT_FIELDS:
            context[key] = value
        elif key.startswith("properties[") and key.endswith("]"):
            properties[key[11:-1]] = value
        elif key not in ("project", "namePrefix"):
            properties[key] = value
    if properties:
        context["properties"] = properties
    context.setdefault("remoteAddress", remote_address)
    return context


def frontend_body(data: dict) -> tuple[bytes, str]:
    """A frontend answer as JSON bytes, and its ETag (the digest of those bytes)."""
    return with_etag(json.dumps(data, separators=(",", ":")).encode())


def with_etag(body: bytes) -> tuple[bytes, str]:
    """A frontend answer's JSON bytes and its ETag."""
    return body, f'"{hashlib.sha1(body).hexdigest()[:20]}"'


def _frontend_request(request):
    """The (query, revision, context) of a frontend API request."""
    scope = authorize(request, TokenKind.FRONTEND)
    body = _json_body(request) if request.method == "POST" else None
    context = frontend_context(request, body)
    context["environment"] = scope.environment
    query = _query(request, scope)
    return query, current_revision(query.environment_ids), context


@csrf_exempt
@cors
@require_http_methods(["GET", "POST"])
@refusals
def frontend_features(request):
    """The flags that are on for the given context, evaluated here with the shared engine;
    304 when the caller's ETag is that of the same answer."""
    query, revision, context = _frontend_request(request)
    return json_answer(request, {"toggles": evaluation.frontend_toggles(query, revision,
                                                                        context)})


@csrf_exempt
@cors
@require_http_methods(["GET", "POST"])
@refusals
def frontend_all(request):
    """Every flag of the token's scope for the context, off ones too (`"enabled": false`);
    only when TMINUS_FLAGS_FRONTEND_ALL is on, as Unleash's enableAllEndpoint."""
    if not settings.FLAGS_FRONTEND_ALL:
        raise Refusal(404, "The /api/frontend/all endpoint is off on this server "
                           "(TMINUS_FLAGS_FRONTEND_ALL).")
    query, revision, context = _frontend_request(request)
    toggles = evaluation.frontend_toggles(query, revision, context, include_off=True)
    return json_answer(request, {"toggles": toggles})


@csrf_exempt
@cors
@require_http_methods(["GET", "POST"])
@refusals
def frontend_feature(request, name: str):
    """One flag, if it is on for the context; 404 when it is off or not in the token's scope."""
    query, revision, context = _frontend_request(request)
    toggle = evaluation.frontend_toggle(query, revision, context, name)
    if toggle is None:
        raise Refusal(404, f"Flag {name!r} is not on for this context.")
    return json_answer(request, toggle)


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
