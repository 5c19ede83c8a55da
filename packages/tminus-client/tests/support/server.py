"""A real HTTP server on 127.0.0.1 that speaks the client API, for testing the SDK end to end.

It serves a features state with an ETag (and counts the 304s it answers), records the
registration and metrics bodies it receives, and streams Server-Sent Events.
"""

import hashlib
import json
import queue
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tminus_client.engine import apply_delta

_DROP_STREAM = object()


class RecordedRequest:
    """One request as the server saw it."""

    def __init__(self, method: str, path: str, headers: dict[str, str], body: Any) -> None:
        self.method = method
        self.path = path
        self.headers = headers
        self.body = body


class FakeTMinusServer:
    """The client API of a T-Minus server, with switches to make it misbehave."""

    def __init__(self, state: dict[str, Any], *, streaming: bool = True) -> None:
        self.state = state
        self.streaming = streaming
        self.requests: list[RecordedRequest] = []
        self.not_modified = 0
        self.failure_status: int | None = None
        self.garbage = False
        self.features_delay = 0.0
        self.metrics_status = 202
        self.events_status = 200
        self._subscribers: list[queue.Queue] = []
        self._lock = threading.Lock()
        self._event_id = 1
        self._stopping = threading.Event()
        self._http = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._thread = threading.Thread(
            target=self._http.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._http.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def etag(self) -> str:
        return '"' + hashlib.sha256(json.dumps(self.state).encode()).hexdigest()[:16] + '"'

    def start(self) -> "FakeTMinusServer":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._http.shutdown()
        self._http.server_close()

    def publish(self, events: list[dict[str, Any]]) -> None:
        """Apply delta events to the served state and push them to every open stream."""
        with self._lock:
            for event in events:
                self._event_id += 1
                event.setdefault("eventId", self._event_id)
            self.state = apply_delta(self.state, {"events": events})
            for subscriber in self._subscribers:
                subscriber.put({"events": events})

    def publish_raw(self, data: str) -> None:
        """Push an ``unleash-updated`` event with arbitrary data, without changing the state."""
        with self._lock:
            for subscriber in self._subscribers:
                subscriber.put(data)

    def drop_streams(self) -> None:
        """Close every open stream, as a restarting server would."""
        with self._lock:
            for subscriber in self._subscribers:
                subscriber.put(_DROP_STREAM)

    def open_streams(self) -> int:
        with self._lock:
            return len(self._subscribers)

    def bodies(self, path: str) -> list[Any]:
        return [r.body for r in list(self.requests) if r.path == path and r.method == "POST"]

    def gets(self, path: str) -> list[RecordedRequest]:
        return [r for r in list(self.requests) if r.path == path and r.method == "GET"]

    def hydration(self) -> dict[str, Any]:
        with self._lock:
            state = self.state
            return {
                "events": [
                    {
                        "type": "hydration",
                        "eventId": self._event_id,
                        "features": state["features"],
                        "segments": state.get("segments", []),
                    }
                ]
            }

    def subscribe(self) -> queue.Queue:
        subscriber: queue.Queue = queue.Queue()
        with self._lock:
            self._subscribers.append(subscriber)
        return subscriber

    def unsubscribe(self, subscriber: queue.Queue) -> None:
        with self._lock:
            self._subscribers.remove(subscriber)

    @property
    def stopping(self) -> bool:
        return self._stopping.is_set()


@contextmanager
def running_server(state: dict[str, Any], **options: Any) -> Iterator[FakeTMinusServer]:
    """A started FakeTMinusServer, stopped when the block ends."""
    server = FakeTMinusServer(state, **options).start()
    try:
        yield server
    finally:
        server.stop()


def wait_for(condition, timeout: float = 5.0, interval: float = 0.01) -> bool:
    """Poll ``condition`` until it is true or ``timeout`` seconds pass; return its last value."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return bool(condition())


def _handler_for(server: FakeTMinusServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass  # Keep test output quiet.

        def do_GET(self) -> None:
            self._record(None)
            if server.failure_status is not None:
                self._send(server.failure_status, b"{}")
            elif self.path == "/api/client/features":
                self._features()
            elif self.path == "/api/client/streaming" and server.streaming:
                self._stream()
            else:
                self._send(404, b"not found")

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", 0))
            self._record(json.loads(self.rfile.read(length) or b"null"))
            if self.path == "/api/client/metrics":
                self._send(server.metrics_status, b"")
            elif self.path == "/api/v1/events":
                self._send(server.events_status, b'{"accepted": 0, "rejected": []}')
            else:
                self._send(202, b"")

        def _features(self) -> None:
            time.sleep(server.features_delay)
            if server.garbage:
                self._send(200, b"<html>this is not the flag state</html>")
                return
            etag = server.etag
            if self.headers.get("If-None-Match") == etag:
                server.not_modified += 1
                self._send(304, b"", {"ETag": etag})
                return
            self._send(200, json.dumps(server.state).encode(), {"ETag": etag})

        def _stream(self) -> None:
            subscriber = server.subscribe()
            try:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Cache-Control", "no-cache")
                self.end_headers()
                self._event("unleash-connected", server.hydration())
                self._follow(subscriber)
            except OSError:
                pass  # The client went away.
            finally:
                server.unsubscribe(subscriber)

        def _follow(self, subscriber: queue.Queue) -> None:
            while not server.stopping:
                try:
                    message = subscriber.get(timeout=0.05)
                except queue.Empty:
                    # A heartbeat; writing it is also how a vanished client is noticed.
                    self.wfile.write(b": heartbeat\n\n")
                    self.wfile.flush()
                    continue
                if message is _DROP_STREAM:
                    return
                self._event("unleash-updated", message)

        def _event(self, name: str, payload: Any) -> None:
            data = payload if isinstance(payload, str) else json.dumps(payload)
            self.wfile.write(f": heartbeat\nevent: {name}\ndata: {data}\n\n".encode())
            self.wfile.flush()

        def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
            self.send_response(status)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            if status != 304:
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if status != 304:
                self.wfile.write(body)

        def _record(self, body: Any) -> None:
            headers = {name.lower(): value for name, value in self.headers.items()}
            server.requests.append(RecordedRequest(self.command, self.path, headers, body))

    return Handler
