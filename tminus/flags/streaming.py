"""GET /api/client/streaming: Server-Sent Events in Unleash's format.

On connect an SDK gets `unleash-connected` with a hydration (`{"events": [{"type":
"hydration", ...}]}`); after every change, `unleash-updated` with the delta events since what
it has. One watcher per process learns about changes: at once when this process commits one
(`flags_state_changed`), at once too when another process commits one on PostgreSQL (a
notification, see propagation.py), and by reading every environment's revision every 250 ms
while streams are open (every 5 s while notifications arrive), so changes made by other
processes (workers, the CLI, other web processes) arrive on SQLite too.

A stream ends when its token is revoked or deleted (the watcher checks the tokens of open
streams on every poll, so a revocation made elsewhere ends them within a poll), and when the
server is asked to stop (SIGTERM, SIGINT), so that `tminus serve` exits at once instead of
waiting for SDKs that never hang up; they reconnect to a process that is still running.

Under ASGI (`tminus serve`) a stream is an async generator that costs no thread while it waits;
under WSGI (the test server, `runserver`) it is a plain generator.
"""

import asyncio
import json
import logging
import threading
import time
from collections import Counter

from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIRequest
from django.db import close_old_connections, connections
from django.http import StreamingHttpResponse
from django.views.decorators.http import require_GET

from tminus.core import shutdown
from tminus.flags import client_state, propagation
from tminus.flags.choices import TokenKind
from tminus.flags.client_api import Refusal, _query, authorize
from tminus.flags.models import ClientToken, Environment

POLL_SECONDS = 0.25
HEARTBEAT_SECONDS = 15.0
logger = logging.getLogger(__name__)


class RevisionWatch:
    """Every environment's revision, kept fresh while streams are open; wakes them on change."""

    def __init__(self, poll_seconds: float = POLL_SECONDS):
        self.poll_seconds = poll_seconds
        self.generation = 0
        self._revisions: dict[int, int] = {}
        self._streams = 0
        self._tokens: Counter[int] = Counter()  # token id -> open streams using it
        self._revoked: set[int] = set()
        self.stopping = False
        self._lock = threading.Lock()
        self._changed = threading.Condition()
        self._kick = threading.Event()
        self._thread: threading.Thread | None = None
        self._async_waiters: set[tuple[asyncio.AbstractEventLoop, asyncio.Future]] = set()

    @property
    def open_streams(self) -> int:
        return self._streams

    def revision(self, environment_ids) -> int:
        return max((self._revisions.get(pk, 0) for pk in environment_ids), default=0)

    def open(self, token_id: int = 0) -> None:
        with self._lock:
            self._streams += 1
            self._tokens[token_id] += 1
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="tminus-flags-watch",
                                                daemon=True)
                self._thread.start()
        self._kick.set()

    def close(self, token_id: int = 0) -> None:
        with self._lock:
            self._streams -= 1
            self._tokens[token_id] -= 1
            if self._tokens[token_id] <= 0:
                del self._tokens[token_id]
                self._revoked.discard(token_id)

    def ended(self, token_id: int) -> bool:
        """Whether a stream with this token must end: the token is gone, or the server stops."""
        return self.stopping or token_id in self._revoked

    def stop(self) -> None:
        """The server is stopping: end every stream now."""
        self.stopping = True
        self._wake()

    def kick(self, **_kwargs) -> None:
        """A change was committed in this process: look now rather than at the next poll."""
        self._kick.set()

    def _run(self) -> None:
        while True:
            with self._lock:
                if self._streams <= 0:
                    self._thread = None
                    break
            self._kick.wait(propagation.SAFETY_POLL_SECONDS if propagation.listener.listening
                            else self.poll_seconds)
            self._kick.clear()
            self._poll()
        connections.close_all()  # this thread's own connection

    def _poll(self) -> None:
        try:
            revisions = dict(Environment.objects.values_list("pk", "revision"))
        except Exception:  # the database may be restarting; the next poll tries again
            logger.warning("Could not read flag revisions", exc_info=True)
            close_old_connections()
            return
        revoked = self._revoked_tokens()
        if revisions != self._revisions or revoked:
            self._revisions = revisions
            self._revoked |= revoked
            self._wake()

    def _revoked_tokens(self) -> set[int]:
        """Tokens of open streams that were revoked or deleted since the last poll."""
        with self._lock:
            watched = set(self._tokens) - self._revoked - {0}
        if not watched:
            return set()
        live = ClientToken.objects.filter(pk__in=watched, revoked_at__isnull=True)
        return watched - set(live.values_list("pk", flat=True))

    def _wake(self) -> None:
        with self._changed:
            self.generation += 1
            self._changed.notify_all()
            waiters, self._async_waiters = self._async_waiters, set()
        for loop, future in waiters:
            loop.call_soon_threadsafe(_resolve, future)

    def wait(self, generation: int, timeout: float) -> None:
        """Block until the generation moves past `generation` or the timeout passes."""
        with self._changed:
            if self.generation == generation:
                self._changed.wait(timeout)

    async def wait_async(self, generation: int, timeout: float) -> None:
        """Like wait, without holding a thread."""
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        with self._changed:
            if self.generation != generation:
                return
            self._async_waiters.add((loop, future))
        try:
            await asyncio.wait_for(future, timeout)
        except TimeoutError:
            pass
        finally:
            with self._changed:
                self._async_waiters.discard((loop, future))


def _resolve(future: asyncio.Future) -> None:
    if not future.done():
        future.set_result(None)


watch = RevisionWatch()


def sse(event: str, data: dict, event_id: int | None = None) -> bytes:
    lines = [f"event: {event}"]
    if event_id is not None:
        lines.append(f"id: {event_id}")
    lines.append("data: " + json.dumps(data, separators=(",", ":")))
    return ("\n".join(lines) + "\n\n").encode()


HEARTBEAT = b": heartbeat\n\n"


class _Stream:
    """What one connected SDK has been sent, and what it is owed next."""

    def __init__(self, query: client_state.Query, token_id: int):
        self.query = query
        self.token_id = token_id
        self.sent = 0

    def connected(self) -> bytes:
        revision = client_state.revision_of(self.query.environment_ids)
        self.sent = revision
        return client_state.built_once(
            client_state.stream_chunks, ("connected", self.query, revision),
            lambda: _connected_chunk(self.query, revision))

    def owed(self) -> bool:
        return watch.revision(self.query.environment_ids) > self.sent

    def updated(self) -> bytes | None:
        revision = client_state.revision_of(self.query.environment_ids)
        # Every stream of the same query is at the same place after a change: the first one
        # builds the update, the others send the same bytes.
        chunk, self.sent = client_state.built_once(
            client_state.stream_chunks, ("updated", self.query, self.sent, revision),
            lambda: _updated_chunk(self.query, self.sent, revision))
        return chunk


def _connected_chunk(query: client_state.Query, revision: int) -> bytes:
    hydration = client_state.hydration_event(query, revision)
    return sse("unleash-connected", {"events": [hydration]}, revision)


def _updated_chunk(query: client_state.Query, since: int, revision: int):
    """(the unleash-updated event or None, the revision it brings a stream to)."""
    events = client_state.delta_events(query, since)
    if events is None:
        events = [client_state.hydration_event(query, revision)]
    if not events:
        return None, max(revision, since)
    sent = max(revision, *(event["eventId"] for event in events))
    return sse("unleash-updated", {"events": events}, sent), sent


def _headers(response):
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"
    return response


@require_GET
async def client_streaming(request):
    """Stream flag changes to an SDK as they happen."""
    def authorized_query():
        scope = authorize(request, TokenKind.CLIENT)
        return _query(request, scope), scope.token_id

    try:
        query, token_id = await sync_to_async(_in_thread, thread_sensitive=False)(
            authorized_query)
    except Refusal as refusal:
        return refusal.response
    stream = _Stream(query, token_id)
    events = (_async_events(stream) if isinstance(request, ASGIRequest)
              else _sync_events(stream))
    return _headers(StreamingHttpResponse(events, content_type="text/event-stream"))


def _in_thread(work):
    """Run database work in a pool thread and hand its connection back: streams query rarely
    (on connect and per change), so a pooled thread must not keep a connection open."""
    try:
        return work()
    finally:
        connections.close_all()


async def _async_events(stream: _Stream):
    run = sync_to_async(_in_thread, thread_sensitive=False)
    shutdown.on_stop(watch.stop)
    watch.open(stream.token_id)
    try:
        yield await run(stream.connected)
        beat = time.monotonic()
        while not watch.ended(stream.token_id):
            generation = watch.generation
            if stream.owed():
                chunk = await run(stream.updated)
                if chunk:
                    yield chunk
                    beat = time.monotonic()
                continue
            await watch.wait_async(generation, max(0.0, beat + HEARTBEAT_SECONDS
                                                   - time.monotonic()))
            if time.monotonic() - beat >= HEARTBEAT_SECONDS:
                yield HEARTBEAT
                beat = time.monotonic()
    finally:
        watch.close(stream.token_id)


def _sync_events(stream: _Stream):
    watch.open(stream.token_id)
    try:
        yield stream.connected()
        beat = time.monotonic()
        while not watch.ended(stream.token_id):
            generation = watch.generation
            if stream.owed():
                chunk = stream.updated()
                if chunk:
                    yield chunk
                    beat = time.monotonic()
                continue
            watch.wait(generation, max(0.0, beat + HEARTBEAT_SECONDS - time.monotonic()))
            if time.monotonic() - beat >= HEARTBEAT_SECONDS:
                yield HEARTBEAT
                beat = time.monotonic()
    finally:
        watch.close(stream.token_id)
