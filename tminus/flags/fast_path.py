"""An ASGI fast path for the requests SDKs and browsers make most: a poll of
/api/client/features, and GET /api/frontend (every page view of a site using flags).

Almost every poll finds nothing changed. When the token's scope and the environments' revision
are in this process's memory (TMINUS_FLAGS_CACHE_SECONDS), the answer (304, or the cached 200
body) is sent from here without entering Django. A value that has just expired is still used
while one background thread reloads it, so a busy process never sends a burst of polls through
Django at once; anything not in memory, including every first request and every error, goes
through Django as usual, which fills the caches. Nothing here queries the database on the event
loop or can raise into the server.

A frontend request is evaluated here, with the engine this process compiled for the revision,
and answered with the same body, ETag (304 when the browser has it), gzip and CORS headers as
the Django view; its context comes from the query string and the caller's address as there.
"""

import asyncio
import logging
from dataclasses import dataclass
from urllib.parse import parse_qs

from django.db import connections

from tminus.flags import client_state, evaluation, propagation, tokens
from tminus.flags.choices import TokenKind
from tminus.flags.client_api import (
    Refusal,
    context_from_parameters,
    cors_headers,
    supports_segments,
    tag_filter,
    with_etag,
)

PATH = "/api/client/features"
FRONTEND_PATHS = ("/api/frontend", "/api/frontend/")
logger = logging.getLogger(__name__)
_refreshing: set = set()


def client_api_fast_path(django_app):
    """Wrap the Django ASGI application."""

    async def application(scope, receive, send):
        propagation.listener.ensure_started()
        if (scope["type"] == "http" and scope["method"] == "GET"
                and scope["path"] in _SHORTCUTS):
            try:
                answer = _answer(scope)
            except Exception:  # never let the shortcut break a request Django can answer
                logger.exception("Fast path failed; answering through Django")
                answer = None
            if answer is not None:
                await _send(send, *answer)
                return
        await django_app(scope, receive, send)

    return application


Answer = tuple[int, bytes, bytes, bool, list]  # status, ETag, body, gzipped, extra headers


@dataclass(frozen=True)
class Stamp:
    """What an answer was made from: while the token, its environments and their revision
    are the same in memory, the same request gets the same answer."""

    token: tokens.TokenScope
    projects: tuple[str, ...]
    environment_ids: tuple[int, ...]
    revision: int


# Answers by the request that asked for them (its token, query string and the headers that
# shape an answer), so that a repeated poll or page view costs three look-ups, not a parse, an
# evaluation and an encoding. Only the event loop's thread uses it.
_by_request: dict = {}
REMEMBERED_REQUESTS = 10_000


def _answer(scope) -> Answer | None:
    headers = dict(scope["headers"])
    authorization = headers.get(b"authorization", b"").decode("latin-1")
    if not authorization:
        return None
    key = (scope["path"], authorization, scope.get("query_string", b""),
           headers.get(b"if-none-match"), headers.get(b"accept-encoding"),
           headers.get(b"unleash-client-spec"), headers.get(b"origin"),
           (scope.get("client") or ("",))[0])
    remembered = _by_request.get(key)
    if remembered is not None and _holds(authorization, remembered[0]):
        return remembered[1]
    answer, stamp = _SHORTCUTS[scope["path"]](scope, headers, authorization)
    if stamp is not None:
        if len(_by_request) >= REMEMBERED_REQUESTS:
            _by_request.clear()
        _by_request[key] = (stamp, answer)
    return answer


def _holds(authorization: str, stamp: Stamp) -> bool:
    """Whether a remembered answer is still the answer (refreshing what is getting old)."""
    token, token_fresh = tokens.peek_scope(authorization)
    if token != stamp.token:
        return False  # revoked, or forgotten after a token change
    environments, environments_fresh = tokens.peek_environments(token, stamp.projects)
    if environments is None or environments[0] != stamp.environment_ids:
        return False
    revision, revision_fresh = tokens.peek_revision(stamp.environment_ids)
    if revision != stamp.revision:
        return False
    if not (token_fresh and environments_fresh and revision_fresh):
        _refresh_soon(authorization, list(stamp.projects))
    return True


def _cached_answer(scope, headers, authorization) -> tuple[Answer | None, Stamp | None]:
    token, token_fresh = tokens.peek_scope(authorization)
    if token is None or token.kind != TokenKind.CLIENT:
        return None, None
    params = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    projects = params.get("project", [])
    if any(not token.allows_project(p) for p in projects):
        return None, None
    inline = not supports_segments(headers.get(b"unleash-client-spec", b"").decode("latin-1"))
    try:
        tags = tag_filter(params.get("tag", []))
    except Refusal:
        return None, None  # Django explains what is wrong with it
    query = tokens.query_for(token, projects, (params.get("namePrefix") or [""])[0], inline,
                             cached_only=True, tags=tags)
    if query is None:
        return None, None
    revision, revision_fresh = tokens.peek_revision(query.environment_ids)
    if revision is None:
        return None, None
    if not (token_fresh and revision_fresh
            and tokens.peek_environments(token, projects)[1]):
        _refresh_soon(authorization, projects)
    stamp = Stamp(token, tuple(projects), query.environment_ids, revision)
    etag = client_state.etag_for(query, revision).encode()
    if etag in _etags(headers.get(b"if-none-match", b"")):
        return (304, etag, b"", False, []), stamp
    body = client_state.cached_body(query, revision)
    if body is None:
        return None, None
    if len(body) >= client_state.GZIP_MIN_BYTES and client_state.accepts_gzip(
            headers.get(b"accept-encoding")):
        body = client_state.cached_body_gzip(query, revision)
        return ((200, etag, body, True, []), stamp) if body is not None else (None, None)
    return (200, etag, body, False, []), stamp


def _frontend_answer(scope, headers, authorization) -> tuple[Answer | None, Stamp | None]:
    token, token_fresh = tokens.peek_scope(authorization)
    if token is None or token.kind != TokenKind.FRONTEND:
        return None, None
    params = parse_qs(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
    projects = params.get("project", [])
    if any(not token.allows_project(p) for p in projects):
        return None, None
    query = tokens.query_for(token, projects, (params.get("namePrefix") or [""])[-1],
                             cached_only=True)
    if query is None:
        return None, None
    revision, revision_fresh = tokens.peek_revision(query.environment_ids)
    engine = evaluation.cached_engine(query, revision) if revision is not None else None
    if engine is None:
        return None, None
    if not (token_fresh and revision_fresh
            and tokens.peek_environments(token, projects)[1]):
        _refresh_soon(authorization, projects)
    client = scope.get("client") or ("", 0)
    context = context_from_parameters(((k, v[-1]) for k, v in params.items()), client[0])
    context["environment"] = token.environment
    key = evaluation.answer_key(query, revision, context)
    answer = evaluation.answers.get(key) if key is not None else None
    if answer is None:
        answer = with_etag(evaluation.toggles_json(engine, context))
        if key is not None:
            evaluation.answers.put(key, answer)
    # An answer that depends on more than the context (the time, a coin) is never remembered.
    stamp = Stamp(token, tuple(projects), query.environment_ids, revision) if key else None
    body, etag = answer
    cors = [(name.lower().encode(), value.encode()) for name, value in
            cors_headers(headers.get(b"origin", b"").decode("latin-1") or None)]
    vary = [(b"vary", b"Origin")] if cors else []
    if etag.encode() in _etags(headers.get(b"if-none-match", b"")):
        return (304, etag.encode(), b"", False, cors + vary), stamp
    vary = [(b"vary", b"Origin, Accept-Encoding" if cors else b"Accept-Encoding")]
    if len(body) >= client_state.GZIP_MIN_BYTES and client_state.accepts_gzip(
            headers.get(b"accept-encoding")):
        return (200, etag.encode(), client_state.compressed(body), True, cors + vary), stamp
    return (200, etag.encode(), body, False, cors + vary), stamp


_SHORTCUTS = {PATH: _cached_answer, **dict.fromkeys(FRONTEND_PATHS, _frontend_answer)}


def _refresh_soon(authorization: str, projects: list[str]) -> None:
    key = (authorization, tuple(projects))
    if key in _refreshing:
        return
    _refreshing.add(key)

    def refresh():
        try:
            tokens.refresh(authorization, projects)
        except Exception:
            logger.warning("Could not refresh the flag caches", exc_info=True)
        finally:
            connections.close_all()  # a pool thread keeps no connection open between refreshes
            _refreshing.discard(key)

    asyncio.get_running_loop().run_in_executor(None, refresh)


def _etags(header: bytes) -> set[bytes]:
    return {tag.strip().removeprefix(b"W/") for tag in header.split(b",") if tag.strip()}


async def _send(send, status: int, etag: bytes, body: bytes, gzipped: bool,
                extra: list) -> None:
    headers = [(b"etag", etag), (b"cache-control", b"no-cache"),
               (b"x-content-type-options", b"nosniff"), *extra]
    if status == 200:
        headers += [(b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode())]
        if not any(name == b"vary" for name, _ in extra):
            headers.append((b"vary", b"Accept-Encoding"))
    if gzipped:
        headers.append((b"content-encoding", b"gzip"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
