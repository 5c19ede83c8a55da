"""Prometheus for tests: a local HTTP server that speaks its instant query API
(GET /api/v1/query), and the real server (Debian's `prometheus`) started on given samples."""

import json
import os
import shutil
import subprocess
import tempfile
import threading
import time
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit
from urllib.request import urlopen

import pytest

from tests.support.network import free_port


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


@pytest.fixture
def real_prometheus():
    """The URL of the real Prometheus, holding no samples."""
    with real_prometheus_server() as url:
        yield url


@contextmanager
def real_prometheus_server(openmetrics: str = ""):
    """The real Prometheus on a free port, its URL; with `openmetrics` (samples in the
    OpenMetrics text format, ending with `# EOF`) loaded first by `promtool tsdb
    create-blocks-from openmetrics`. Skips, saying why, where it is not installed."""
    binary = shutil.which(os.environ.get("TMINUS_PROMETHEUS_BINARY", "prometheus"))
    if binary is None:
        pytest.skip("The prometheus server is not installed (apt-get install prometheus).")
    workdir = tempfile.mkdtemp(prefix="tminus-prometheus-")
    try:
        with open(os.path.join(workdir, "prometheus.yml"), "w") as config:
            config.write("global:\n  scrape_interval: 15s\nscrape_configs: []\n")
        if openmetrics:
            _backfill(binary, workdir, openmetrics)
        with _running(binary, workdir) as url:
            yield url
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _backfill(binary: str, workdir: str, openmetrics: str) -> None:
    promtool = shutil.which("promtool", path=os.path.dirname(binary)) or shutil.which("promtool")
    if promtool is None:
        pytest.skip("promtool is not installed (it comes with prometheus).")
    source = os.path.join(workdir, "samples.om")
    with open(source, "w") as samples:
        samples.write(openmetrics)
    made = subprocess.run([promtool, "tsdb", "create-blocks-from", "openmetrics", source,
                           os.path.join(workdir, "data")], capture_output=True, text=True)
    assert made.returncode == 0, f"promtool refused the samples: {made.stderr}"


@contextmanager
def _running(binary: str, workdir: str):
    port = free_port()
    process = subprocess.Popen(
        [binary, f"--config.file={workdir}/prometheus.yml", f"--storage.tsdb.path={workdir}/data",
         f"--web.listen-address=127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                with urlopen(f"{url}/-/ready", timeout=1):
                    break
            except OSError:
                if process.poll() is not None:
                    pytest.fail("prometheus exited at start-up")
                if time.monotonic() > deadline:
                    pytest.fail("prometheus did not become ready within 15 s")
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)
