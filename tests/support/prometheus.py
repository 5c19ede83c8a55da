"""A local HTTP server that speaks Prometheus' instant query API (GET /api/v1/query)."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest


class FakePrometheus:
    """Answers queries from `values` (query -> number text) or `answers` (query -> raw reply)."""

    def __init__(self):
        self.values: dict[str, str] = {}
        self.answers: dict[str, tuple[int, dict]] = {}
        self.requests: list[dict] = []
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05},
                         daemon=True).start()

    @property
    def asked(self) -> list[dict]:
        return self.requests

    def set_value(self, query: str, value: str) -> None:
        self.values[query] = value

    def answer(self, path: str, query: str) -> tuple[int, dict]:
        if path != "/api/v1/query":
            return 404, {"status": "error", "error": "not found"}
        if query in self.answers:
            return self.answers[query]
        if query.count("(") != query.count(")"):
            return 400, {"status": "error", "errorType": "bad_data",
                         "error": "parse error: unclosed left parenthesis"}
        samples = [{"metric": {}, "value": [time.time(), self.values[query]]}] \
            if query in self.values else []
        return 200, {"status": "success", "data": {"resultType": "vector", "result": samples}}

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                parts = urlsplit(self.path)
                params = {k: v[0] for k, v in parse_qs(parts.query).items()}
                fake.requests.append({"path": parts.path, **params})
                status, body = fake.answer(parts.path, params.get("query", ""))
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        return Handler


@pytest.fixture
def prometheus():
    fake = FakePrometheus()
    yield fake
    fake.close()
