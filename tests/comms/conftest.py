"""Real components for the communication plan: an SMTP server and an HTTP receiver on loopback."""

import email
import json
import socket
import threading
from email import policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller

import tminus.comms.tasks  # noqa: F401  (registers the worker's jobs and periodic tasks)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Inbox:
    """What the SMTP server received: (envelope recipients, parsed message) per mail."""

    def __init__(self):
        self.mails: list[tuple[list[str], email.message.EmailMessage]] = []
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        parsed = email.message_from_bytes(envelope.content, policy=policy.default)
        with self._lock:
            self.mails.append((list(envelope.rcpt_tos), parsed))
        return "250 2.0.0 Ok: queued as TEST123"

    def to(self, address: str) -> list:
        return [mail for rcpts, mail in self.mails if address in rcpts]

    @property
    def recipients(self) -> list[str]:
        return [address for rcpts, _mail in self.mails for address in rcpts]


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server on 127.0.0.1; Django's mail goes to it over SMTP."""
    inbox = Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    yield inbox
    controller.stop()


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
