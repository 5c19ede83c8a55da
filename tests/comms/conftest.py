"""Real components for the communication plan: an SMTP server and an HTTP receiver on loopback."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

import tminus.comms.tasks  # noqa: F401  (registers the worker's jobs and periodic tasks)
from tests.support.network import Inbox, smtp_server_running


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server on 127.0.0.1; Django's mail goes to it over SMTP."""
    yield from smtp_server_running(settings, Inbox())


class Receiver:
    """Requests a local HTTP server received, and the statuses it answers with (200 when the
    queue is empty)."""

    def __init__(self):
        self.requests: list[dict] = []
        self.statuses: list[int] = []
        self.url = ""
        self._lock = threading.Lock()

    def record(self, path: str, headers, body: bytes) -> int:
        with self._lock:
            self.requests.append({"path": path, "body": body,
                                  "headers": {k.lower(): v for k, v in headers.items()}})
            return self.statuses.pop(0) if self.statuses else 200

    def json(self, index: int = -1) -> dict:
        return json.loads(self.requests[index]["body"])


@pytest.fixture
def http_receiver():
    receiver = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            status = receiver.record(self.path, self.headers, body)
            answer = b"ok" if status < 400 else b"receiver broke"
            self.send_response(status)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    receiver.url = f"http://127.0.0.1:{server.server_port}"
    yield receiver
    server.shutdown()
    server.server_close()
