"""Keeping a client's flags current: polling with ETag, or following the server's event stream.

Polling asks ``GET /api/client/features`` every ``refresh_interval`` seconds with
``If-None-Match``; a 304 keeps the state. Streaming holds ``GET /api/client/streaming`` open:
``unleash-connected`` carries the whole state, ``unleash-updated`` carries delta events. While the
stream is down the client reconnects with back-off and polls in between, so it never goes stale
for longer than it would when polling.
"""

import json
import logging
import threading
import time
from dataclasses import dataclass

from ..engine import FlagEngine
from .backoff import Backoff
from .http import HttpClient, HttpStream
from .sse import ServerSentEvent, read_events

logger = logging.getLogger("tminus_client")

FEATURES_PATH = "/api/client/features"
STREAMING_PATH = "/api/client/streaming"
# Servers answering these to the streaming request do not stream: poll instead, for good.
STREAMING_UNSUPPORTED = frozenset({404, 405, 501})
# A silent stream is presumed dead after this long; servers send heartbeats well within it.
STREAM_IDLE_TIMEOUT = 60.0
STREAM_RETRY_INITIAL = 0.5


@dataclass
class SyncStatus:
    """What the client knows about its link to the server; read it, don't write it."""

    fetches: int = 0
    not_modified: int = 0
    stream_connected: bool = False
    stream_events: int = 0
    failures: int = 0
    last_error: str | None = None
    last_update: float | None = None


class StreamingUnsupportedError(Exception):
    """The server does not offer the streaming endpoint."""


class FeatureSync:
    """A background thread that keeps an engine's state in step with the server."""

    def __init__(
        self,
        http: HttpClient,
        engine: FlagEngine,
        *,
        refresh_interval: float,
        streaming: bool,
        status: SyncStatus,
        thread_name: str = "tminus-sync",
    ) -> None:
        self._http = http
        self._engine = engine
        self._refresh_interval = refresh_interval
        self._streaming = streaming
        self.status = status
        self.synced = threading.Event()
        self._etag: str | None = None
        self._stopped = threading.Event()
        self._stream: HttpStream | None = None
        self._stream_lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name=thread_name, daemon=True)

    def start(self) -> None:
        """Start following the server in the background."""
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop following the server; interrupts a blocked stream read."""
        self._stopped.set()
        with self._stream_lock:
            if self._stream is not None:
                self._stream.close()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def poll_once(self) -> bool:
        """Fetch the state once, with ETag; True when the server answered 200 or 304."""
        try:
            self._poll()
        except Exception as exc:
            self._failed("fetching flags", exc)
            return False
        return True

    def _run(self) -> None:
        if self._streaming:
            self._run_streaming()
        else:
            self._run_polling()

    def _run_polling(self) -> None:
        backoff = Backoff(self._refresh_interval, self._refresh_interval * 10)
        while not self._stopped.is_set():
            if self.poll_once():
                backoff.reset()
                delay = self._refresh_interval
            else:
                delay = backoff.failed()
            self._stopped.wait(delay)

    def _run_streaming(self) -> None:
        backoff = Backoff(STREAM_RETRY_INITIAL, max(self._refresh_interval, STREAM_RETRY_INITIAL))
        while not self._stopped.is_set():
            try:
                self._follow_stream(backoff)
            except StreamingUnsupportedError as exc:
                logger.warning("%s; polling every %ss instead", exc, self._refresh_interval)
                self._run_polling()
                return
            except Exception as exc:
                if self._stopped.is_set():
                    return
                self._failed("streaming flags", exc)
            if self._stopped.is_set():
                return
            # The stream is down: poll so flags stay fresh, then try the stream again.
            self.poll_once()
            self._stopped.wait(backoff.failed())

    def _poll(self) -> None:
        headers = {"Accept": "application/json"}
        if self._etag:
            headers["If-None-Match"] = self._etag
        response = self._http.get(FEATURES_PATH, headers)
        if response.status == 304:
            self.status.not_modified += 1
            self._recovered()
            return
        if response.status != 200:
            raise ConnectionError(f"{FEATURES_PATH} answered HTTP {response.status}")
        self._engine.load(response.json())
        self._etag = response.headers.get("ETag")
        self.status.fetches += 1
        self._updated()

    def _follow_stream(self, backoff: Backoff) -> None:
        stream = self._http.open_stream(
            STREAMING_PATH, {"Accept": "text/event-stream"}, STREAM_IDLE_TIMEOUT
        )
        with self._stream_lock:
            self._stream = stream
        try:
            if self._stopped.is_set():
                return
            if stream.status in STREAMING_UNSUPPORTED:
                raise StreamingUnsupportedError(f"{STREAMING_PATH} answered HTTP {stream.status}")
            if stream.status != 200:
                raise ConnectionError(f"{STREAMING_PATH} answered HTTP {stream.status}")
            self.status.stream_connected = True
            for event in read_events(stream.readline):
                if self._stopped.is_set():
                    return
                if self._apply(event):
                    # Only a stream that delivers counts as healthy: one that is accepted and
                    # then cut straight away keeps backing off.
                    backoff.reset()
        finally:
            self.status.stream_connected = False
            with self._stream_lock:
                self._stream = None
            stream.close()

    def _apply(self, event: ServerSentEvent) -> bool:
        """Apply a flag event; False for event types that carry no flags."""
        # A malformed event raises: the stream is dropped and the reconnect resends the state.
        if event.event == "unleash-connected":
            self._engine.load(json.loads(event.data))
        elif event.event == "unleash-updated":
            self._engine.apply_delta(json.loads(event.data))
        else:
            return False
        self.status.stream_events += 1
        self._updated()
        return True

    def _updated(self) -> None:
        self.status.last_update = time.time()
        self._recovered()
        self.synced.set()

    def _recovered(self) -> None:
        if self.status.last_error is not None:
            logger.info("connection to the T-Minus server restored")
            self.status.last_error = None

    def _failed(self, action: str, exc: Exception) -> None:
        message = f"{action} failed: {exc!r}"
        self.status.failures += 1
        # Warn once per outage rather than on every retry.
        level = logging.WARNING if self.status.last_error is None else logging.DEBUG
        logger.log(level, "%s; keeping the flags already loaded", message)
        self.status.last_error = message
