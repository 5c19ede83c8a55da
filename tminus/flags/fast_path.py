"""An ASGI fast path for the request SDKs make most: a poll of /api/client/features.

Almost every poll finds nothing changed. When the token's scope and the environments' revision
are in this process's memory (TMINUS_FLAGS_CACHE_SECONDS), the answer (304, or the cached 200
body) is sent from here without entering Django. A value that has just expired is still used
while one background thread reloads it, so a busy process never sends a burst of polls through
Django at once; anything not in memory, including every first request and every error, goes
through Django as usual, which fills the caches. Nothing here queries the database on the event
loop or can raise into the server.
"""

import asyncio
import logging
from urllib.parse import parse_qs

from django.db import connections

from tminus.flags import client_state, tokens
from tminus.flags.choices import TokenKind
from tminus.flags.client_api import Refusal, supports_segments, tag_filter

PATH = "/api/client/features"
logger = logging.getLogger(__name__)
_refreshing: set = set()


def client_api_fast_path(django_app):
    """Wrap the Django ASGI application."""

    async def application(scope, receive, send):
        if scope["type"] == "http" and scope["path"] == PATH and scope["method"] == "GET":
            try:
                answer = _cached_answer(scope)
            except Exception:  # never let the shortcut break a request Django can answer
                logger.exception("Fast path failed; answering through Django")
                answer = None
            if answer is not None:
                await _send(send, *answer)
                return
        await django_app(scope, receive, send)

    return application


def _cached_answer(scope) -> tuple[int, bytes, bytes, bool] | None:
    headers = dict(scope["headers"])
    authorization = headers.get(b"authorization", b"").decode("latin-1")
    if not authorization:
        return None
    token, token_fresh = tokens.peek_scope(authorization)
    if token is None or token.kind != TokenKind.CLIENT:
        return None
    params = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    projects = params.get("project", [])
    if any(not token.allows_project(p) for p in projects):
        return None
    inline = not supports_segments(headers.get(b"unleash-client-spec", b"").decode("latin-1"))
    try:
        tags = tag_filter(params.get("tag", []))
    except Refusal:
        return None  # Django explains what is wrong with it
    query = tokens.query_for(token, projects, (params.get("namePrefix") or [""])[0], inline,
                             cached_only=True, tags=tags)
    if query is None:
        return None
    revision, revision_fresh = tokens.peek_revision(query.environment_ids)
    if revision is None:
        return None
    if not (token_fresh and revision_fresh
            and tokens.peek_environments(token, projects)[1]):
        _refresh_soon(authorization, projects)
    etag = client_state.etag_for(query, revision).encode()
    if etag in _etags(headers.get(b"if-none-match", b"")):
        return 304, etag, b"", False
    body = client_state.cached_body(query, revision)
    if body is None:
        return None
    if len(body) >= client_state.GZIP_MIN_BYTES and client_state.accepts_gzip(
            headers.get(b"accept-encoding")):
        body = client_state.cached_body_gzip(query, revision)
        return (200, etag, body, True) if body is not None else None
    return 200, etag, body, False


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


async def _send(send, status: int, etag: bytes, body: bytes, gzipped: bool) -> None:
    headers = [(b"etag", etag), (b"cache-control", b"no-cache"),
               (b"x-content-type-options", b"nosniff")]
    if status == 200:
        headers += [(b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()), (b"vary", b"Accept-Encoding")]
    if gzipped:
        headers.append((b"content-encoding", b"gzip"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
