import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest


class FakePrometheus:
    """A local HTTP server speaking Prometheus' instant query API (GET /api/v1/query)."""

    def __init__(self):
        self.values: dict[str, str] = {}
        self.asked: list[dict] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                parts = urlsplit(self.path)
                params = {k: v[0] for k, v in parse_qs(parts.query).items()}
                fake.asked.append({"path": parts.path, **params})
                status, body = fake.answer(parts.path, params.get("query", ""))
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05},
                         daemon=True).start()

    def answer(self, path: str, query: str) -> tuple[int, dict]:
        if path != "/api/v1/query":
            return 404, {"status": "error", "error": "not found"}
        if "(" in query and query.count("(") != query.count(")"):
            return 400, {"status": "error", "errorType": "bad_data",
                         "error": "parse error: unclosed left parenthesis"}
        if query not in self.values:
            return 200, {"status": "success", "data": {"resultType": "vector", "result": []}}
        return 200, {"status": "success", "data": {"resultType": "vector", "result": [
            {"metric": {}, "value": [time.time(), self.values[query]]}]}}

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def prometheus():
    fake = FakePrometheus()
    yield fake
    fake.close()
